import ArgumentParser
import Foundation
import LilypadAgents
import LilypadAnura
import LilypadCore
import LilypadCrypto
import Logging

extension LilypadCommand {
    /// `lilypad anura …`: the OpenAI-compatible inference gateway and its API keys.
    struct Anura: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "anura",
            abstract: "Serve Anura, the OpenAI-compatible inference API, and manage its API keys.",
            discussion: """
                Every request runs a model module (smollm2-135m-instruct, multilingual-e5-small, hibari-tts, …) as a job on \
                the network, paid from the ledger account that owns the API key. GET /api/v1/models lists the models that \
                resource providers offer right now.
                """,
            subcommands: [Serve.self, Keys.self],
            defaultSubcommand: Serve.self
        )

        /// `<home>/anura/keys.sqlite` unless told otherwise; `fastCommits` for the gateway (see ``APIKeyStore/init(path:fastCommits:)``).
        static func keyStore(_ path: String?, home: LilypadHome, fastCommits: Bool = false) throws -> APIKeyStore {
            do { return try APIKeyStore(path: path ?? home.path + "/anura/keys.sqlite", fastCommits: fastCommits) } catch {
                throw CLIError(error.description)
            }
        }
    }
}

extension LilypadCommand.Anura {
    /// `lilypad anura [serve]`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the gateway (the default).")

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on.")
        var port = 8080

        @Option(
            name: .customLong("account-key"),
            help:
                "A job-creator private key of an account that owns API keys (repeatable; default: $WEB3_PRIVATE_KEY, and on the local network the development job creator)."
        )
        var accountKeys: [String] = []

        @Option(help: "The API key database (default: $LILYPAD_HOME/anura/keys.sqlite).")
        var keys: String?

        @Option(help: "Where job results go (default: $DATA_DIR, else /tmp/lilypad/data).")
        var dataDir: String?

        @Option(help: "A SearXNG-compatible search API for /api/v1/websearch (default: $ANURA_SEARCH_URL; none: 501).")
        var searchURL: String?

        @Option(
            help:
                "A JSON file of more models: [{\"id\", \"kind\" (chat, embeddings, audio, image, video), \"module\" (name:ref), \"owned_by\"}] (default: $ANURA_MODELS)."
        )
        var models: String?

        @OptionGroup var network: NetworkOptions

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            var accounts = try accountKeys.map { try PrivateKey(hex: $0) }
            if let text = environment["WEB3_PRIVATE_KEY"], !text.isEmpty { accounts.append(try PrivateKey(hex: text)) }
            if network.isLocal { accounts.append(try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)) }
            guard !accounts.isEmpty else { throw CLIError("pass --account-key (or set WEB3_PRIVATE_KEY): the account that pays for jobs") }
            let endpoints = try await network.existing()
            let data = dataDir ?? environment["DATA_DIR"] ?? "/tmp/lilypad/data"
            var configuration = AnuraGateway.Configuration(
                network: endpoints, home: network.home, downloads: URL(fileURLWithPath: data).appendingPathComponent("downloaded-files"),
                accounts: accounts)
            configuration.host = host
            configuration.port = port
            configuration.searchURL = searchURL ?? environment["ANURA_SEARCH_URL"]
            if let path = models ?? environment["ANURA_MODELS"], !path.isEmpty {
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read the models file \(path)") }
                configuration.catalog = try configuration.catalog.adding(json: data, source: path)
            }
            let logger = Logger.command("lilypad.anura", environment: environment)
            let gateway = AnuraGateway(
                configuration: configuration, keys: try LilypadCommand.Anura.keyStore(keys, home: network.home, fastCommits: true), logger: logger)
            logger.info(
                "anura ready",
                metadata: ["url": "http://\(host):\(port)/api/v1", "solver": "\(endpoints.solverURL)", "accounts": "\(accounts.map(\.address))"])
            try await serveUntilSignalled(gateway.application(), logger: logger)
        }
    }

    /// `lilypad anura key create|list|revoke`.
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key", abstract: "Create, list and revoke API keys (stored hashed).", subcommands: [Create.self, List.self, Revoke.self])
    }
}

extension LilypadCommand.Anura.Keys {
    /// `lilypad anura key create [--owner ADDRESS] [--name N] [--rate-limit R]`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; its secret is printed once, on the last line.")

        @Option(help: "The account that pays for the key's jobs (default: the address of $WEB3_PRIVATE_KEY, else the development job creator).")
        var owner: String?

        @Option(help: "A name to recognise the key by.")
        var name = "default"

        @Option(help: "Requests per second.")
        var rateLimit = APIKeyStore.defaultRateLimit

        @Option(help: "The API key database (default: $LILYPAD_HOME/anura/keys.sqlite).")
        var keys: String?

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let address: EthereumAddress
            if let owner {
                address = try EthereumAddress(owner)
            } else if let text = environment["WEB3_PRIVATE_KEY"], !text.isEmpty {
                address = try PrivateKey(hex: text).address
            } else {
                address = try EthereumAddress(DevelopmentAccounts.jobCreator.address)
            }
            let store = try LilypadCommand.Anura.keyStore(keys, home: LilypadHome(environment: environment))
            let created: (secret: String, record: APIKeyStore.Record)
            do { created = try store.create(owner: address, name: name, rateLimit: rateLimit) } catch { throw CLIError(error.description) }
            print("\(created.record.id) for \(created.record.owner), \(created.record.rateLimit) requests/s. The secret (shown only now):")
            print(created.secret)
        }
    }

    /// `lilypad anura key list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the API keys with their owners and usage.")

        @Option(help: "The API key database (default: $LILYPAD_HOME/anura/keys.sqlite).")
        var keys: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let store = try LilypadCommand.Anura.keyStore(keys, home: LilypadHome(environment: ProcessInfo.processInfo.environment))
            let records: [APIKeyStore.Record]
            do { records = try store.list() } catch { throw CLIError(error.description) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(records), as: UTF8.self))
                return
            }
            print("ID               PREFIX      OWNER                                       RATE  REQUESTS  JOBS  PROMPT  COMPLETION  STATUS  NAME")
            for r in records {
                let columns = [
                    r.id.padding(toLength: 16, withPad: " ", startingAt: 0), r.prefix.padding(toLength: 11, withPad: " ", startingAt: 0),
                    r.owner.padding(toLength: 43, withPad: " ", startingAt: 0), String(r.rateLimit).padding(toLength: 5, withPad: " ", startingAt: 0),
                    String(r.requests).padding(toLength: 9, withPad: " ", startingAt: 0),
                    String(r.jobs).padding(toLength: 5, withPad: " ", startingAt: 0),
                    String(r.promptTokens).padding(toLength: 7, withPad: " ", startingAt: 0),
                    String(r.completionTokens).padding(toLength: 11, withPad: " ", startingAt: 0),
                    (r.revokedAt == nil ? "active" : "revoked").padding(toLength: 7, withPad: " ", startingAt: 0), r.name,
                ]
                print(columns.joined(separator: " "))
            }
        }
    }

    /// `lilypad anura key revoke ID`.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key (by id or secret prefix).")

        @Argument(help: "The key's id (key_…) or the first characters of its secret as listed.")
        var id: String

        @Option(help: "The API key database (default: $LILYPAD_HOME/anura/keys.sqlite).")
        var keys: String?

        func run() throws {
            let store = try LilypadCommand.Anura.keyStore(keys, home: LilypadHome(environment: ProcessInfo.processInfo.environment))
            do { print("revoked \(try store.revoke(id).id)") } catch { throw CLIError(error.description) }
        }
    }
}
