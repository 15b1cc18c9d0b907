import Foundation
import LilypadCore
import LilypadSolver

/// The models Anura knows and the module that serves each: a model is offered when at least one
/// active resource offer accepts its module.
///
/// Image, video and other models join the catalog the same way: an entry naming the module and its
/// `kind` (``adding(json:source:)``, `lilypad anura --models FILE`), and the model is listed as
/// soon as a provider offers that module.
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
            // `name:ref`, where a name may itself hold colons (`http://host:port/repo.git:v1`).
            let name = entry.module.lastIndex(of: ":").map { String(entry.module[..<$0]) } ?? entry.module
            return offers.contains { offer in
                guard let modules = offer.modules, !modules.isEmpty else { return true }
                return modules.contains(entry.module) || modules.contains(name)
            }
        }
    }
}

extension ModelCatalog {
    /// Why a models file was refused.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// This catalog with the entries of a models file: a JSON array of
    /// `{"id": "sdxl-turbo", "kind": "image", "module": "<repo or name>:<ref>", "owned_by": "…"}`
    /// (`owned_by` optional). An id may not repeat, nor name a model already in the catalog.
    public func adding(json data: Data, source: String) throws(FileError) -> ModelCatalog {
        struct Item: Decodable {
            var id: String
            var kind: String
            var module: String
            var ownedBy: String?

            enum CodingKeys: String, CodingKey {
                case id, kind, module
                case ownedBy = "owned_by"
            }
        }
        let items: [Item]
        do { items = try JSONDecoder().decode([Item].self, from: data) } catch {
            throw FileError(
                description:
                    "\(source) is not a JSON array of {\"id\", \"kind\", \"module\", \"owned_by\"} objects: \(error)")
        }
        var catalog = self
        for (index, item) in items.enumerated() {
            let what = "\(source): model \(index + 1)"
            guard !item.id.isEmpty, !item.module.isEmpty else { throw FileError(description: "\(what) needs a non-empty `id` and `module`") }
            guard let kind = Kind(rawValue: item.kind) else {
                let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw FileError(description: "\(what) (\(item.id)) has kind `\(item.kind)`; use one of \(kinds)")
            }
            guard item.module.contains(":") else {
                throw FileError(description: "\(what) (\(item.id)) names module `\(item.module)` without a version; write `name:ref`")
            }
            guard !catalog.entries.contains(where: { $0.id == item.id }) else {
                throw FileError(description: "\(what): the model id `\(item.id)` is already in the catalog")
            }
            catalog.entries.append(Entry(id: item.id, kind: kind, module: item.module, ownedBy: item.ownedBy ?? "lilypad"))
        }
        return catalog
    }
}
