import ArgumentParser
import Foundation
import LilypadCore

extension LilypadCommand {
    /// `lilypad id [--kind K] [FILE]`.
    struct IDCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id",
            abstract: "Print the Lilypad v2 ID of a module config, job offer, resource offer or deal.",
            discussion: """
                Reads the object's JSON from FILE (or standard input) and prints the ID Lilypad's solver computes: \
                the CIDv0 of its Go JSON encoding with "id" blanked (module configs are hashed as they are). \
                A module config can also be given with --repo and --hash.
                """
        )

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case module, jobOffer = "job-offer", resourceOffer = "resource-offer", deal
        }

        @Option(help: "What the JSON is (default: recognised from its fields).")
        var kind: Kind?

        @Option(help: "A module's git repository URL (instead of JSON input).")
        var repo: String?

        @Option(help: "The module's commit, tag or branch (with --repo).")
        var hash: String?

        @Option(help: "The template path inside the repository (with --repo).")
        var path = "/lilypad_module.json.tmpl"

        @Argument(help: "A JSON file; - or nothing reads standard input.")
        var file: String?

        func validate() throws {
            if (repo == nil) != (hash == nil) { throw ValidationError("--repo and --hash go together: give both, or give JSON instead") }
            if repo != nil, file != nil { throw ValidationError("give either --repo/--hash or a JSON file, not both") }
        }

        func run() throws {
            if let repo, let hash {
                print(try ModuleConfig(repo: repo, hash: hash, path: path).moduleID())
                return
            }
            let data: Data
            if let file, file != "-" {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw CLIError("\(file): no such file, or it cannot be read")
                }
                data = contents
            } else {
                data = FileHandle.standardInput.readDataToEndOfFile()
            }
            let kind = try self.kind ?? Self.recognise(data)
            let decoder = JSONDecoder()
            do {
                switch kind {
                case .module: print(try decoder.decode(ModuleConfig.self, from: data).moduleID())
                case .jobOffer: print(try decoder.decode(JobOffer.self, from: data).computeID())
                case .resourceOffer: print(try decoder.decode(ResourceOffer.self, from: data).computeID())
                case .deal: print(try decoder.decode(Deal.self, from: data).computeID())
                }
            } catch let error as DecodingError {
                throw CLIError("the JSON is not a valid \(kind.rawValue): \(error.readableDescription)")
            }
        }

        static func recognise(_ data: Data) throws -> Kind {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CLIError("the input is not a JSON object")
            }
            if object["members"] != nil { return .deal }
            if object["job_creator"] != nil, object["module"] != nil { return .jobOffer }
            if object["resource_provider"] != nil { return .resourceOffer }
            if object["repo"] != nil, object["hash"] != nil { return .module }
            throw CLIError("cannot tell what this JSON is: pass --kind (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }
}

extension DecodingError {
    /// Where the JSON was wrong and why, in one line.
    var readableDescription: String {
        func path(_ context: Context) -> String {
            context.codingPath.isEmpty
                ? "the top level" : context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context): return "missing field \"\(key.stringValue)\" at \(path(context))"
        case .typeMismatch(let type, let context): return "\(path(context)) should be \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null but should be \(type)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
