import LilypadCore
import LilypadSolver

/// The models Anura knows and the module that serves each: a model is offered when at least one
/// active resource offer accepts its module.
///
/// Image, video and vision models join the catalog the same way: add an entry naming the module
/// (and its `kind`), and the model is listed as soon as a provider offers that module.
public struct ModelCatalog: Sendable {
    /// What a model does, i.e. which endpoint serves it.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case chat, embeddings, audio, image, video
    }

    /// One model.
    public struct Entry: Sendable, Hashable {
        /// The model id clients send (`model`).
        public var id: String
        public var kind: Kind
        /// The module that runs it, `name:ref`.
        public var module: String
        /// Who made the model (OpenAI's `owned_by`).
        public var ownedBy: String

        public init(id: String, kind: Kind, module: String, ownedBy: String) {
            self.id = id
            self.kind = kind
            self.module = module
            self.ownedBy = ownedBy
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The built-in model modules (`Sources/LilypadModules/Builtin`).
    public static let builtin = ModelCatalog(entries: [
        Entry(id: "smollm2-135m-instruct", kind: .chat, module: "smollm2-135m-instruct:v0.3.0", ownedBy: "HuggingFaceTB"),
        Entry(id: "gemma-3-270m", kind: .chat, module: "gemma-3-270m:v0.3.0", ownedBy: "google"),
        Entry(id: "multilingual-e5-small", kind: .embeddings, module: "multilingual-e5-small:v0.3.0", ownedBy: "intfloat"),
        Entry(id: "hibari-tts", kind: .audio, module: "hibari-tts:v0.3.0", ownedBy: "hibari"),
    ])

    /// The entries that some offer accepts: an offer without an allowlist accepts every module;
    /// one with an allowlist accepts a module named there by `name:ref` or by `name`.
    public func offered(by offers: [OfferedModules]) -> [Entry] {
        entries.filter { entry in
            let name = entry.module.split(separator: ":").first.map(String.init) ?? entry.module
            return offers.contains { offer in
                guard let modules = offer.modules, !modules.isEmpty else { return true }
                return modules.contains(entry.module) || modules.contains(name)
            }
        }
    }
}
