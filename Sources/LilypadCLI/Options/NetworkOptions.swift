import ArgumentParser
import Foundation
import LilypadAgents
import LilypadCore
import LilypadCrypto

/// `-n/--network` and the service overrides: where the solver, ledger and mediators are.
///
/// `local` (the default) is the local network on this machine (`lilypad devnet`). Other names are
/// read from `$LILYPAD_HOME/networks.json`:
///
/// ```json
/// {"mynet": {"solver_url": "https://solver.example", "solver_address": "0x…",
///            "ledger_url": "https://ledger.example", "mediators": ["0x…"]}}
/// ```
///
/// `SERVICE_SOLVER` (address), `SERVICE_MEDIATORS` (comma list), `SOLVER_URL` and `LEDGER_URL`
/// override the preset, as do the flags.
struct NetworkOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .long], help: "The network: local (this machine) or a name from $LILYPAD_HOME/networks.json.")
    var network: String?

    @Option(help: "The solver's URL (default: the network's, or $SOLVER_URL).")
    var solverURL: String?

    @Option(help: "The ledger's URL (default: the network's, or $LEDGER_URL).")
    var ledgerURL: String?

    @Option(name: .customLong("service-solver"), help: "The solver's address (default: the network's, or $SERVICE_SOLVER).")
    var serviceSolver: String?

    @Option(name: .customLong("service-mediators"), help: "Trusted mediators, comma-separated (default: the network's, or $SERVICE_MEDIATORS).")
    var serviceMediators: String?

    /// One entry of `networks.json`.
    struct Preset: Codable {
        var solverURL: String
        var solverAddress: String
        var ledgerURL: String
        var mediators: [String]

        enum CodingKeys: String, CodingKey {
            case solverURL = "solver_url"
            case solverAddress = "solver_address"
            case ledgerURL = "ledger_url"
            case mediators
        }
    }

    var environment: [String: String] { ProcessInfo.processInfo.environment }
    var home: LilypadHome { LilypadHome(environment: environment) }
    var name: String { network ?? environment["LILYPAD_NETWORK"] ?? "local" }
    var isLocal: Bool { name == "local" && solverURL == nil && environment["SOLVER_URL"] == nil }

    /// The endpoints, with `base` as the preset (a running local network, or a named one).
    func endpoints(base: NetworkEndpoints) throws -> NetworkEndpoints {
        var endpoints = base
        if let url = solverURL ?? environment["SOLVER_URL"] { endpoints.solverURL = url }
        if let url = ledgerURL ?? environment["LEDGER_URL"] { endpoints.ledgerURL = url }
        if let text = serviceSolver ?? environment["SERVICE_SOLVER"] { endpoints.solverAddress = try parse(text, "--service-solver") }
        if let text = serviceMediators ?? environment["SERVICE_MEDIATORS"] {
            endpoints.mediators = try text.split(separator: ",").map { try parse(String($0), "--service-mediators") }
        }
        return endpoints
    }

    /// A named network's endpoints (not `local`).
    func preset() throws -> NetworkEndpoints {
        let path = home.path + "/networks.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("unknown network \"\(name)\": there is no \(path); use -n local or describe the network there")
        }
        let presets: [String: Preset]
        do { presets = try JSONDecoder().decode([String: Preset].self, from: data) } catch {
            throw CLIError("\(path) is not valid: \(error)")
        }
        guard let preset = presets[name] else {
            throw CLIError("unknown network \"\(name)\"; \(path) has: \(presets.keys.sorted().joined(separator: ", "))")
        }
        return NetworkEndpoints(
            solverURL: preset.solverURL, solverAddress: try parse(preset.solverAddress, "solver_address"), ledgerURL: preset.ledgerURL,
            mediators: try preset.mediators.map { try parse($0, "mediators") })
    }

    /// The endpoints of a network that must already be running (for providers and mediators).
    func existing() async throws -> NetworkEndpoints {
        if name != "local" { return try endpoints(base: try preset()) }
        if let running = await LocalNetwork.running(home: home) { return try endpoints(base: running) }
        if solverURL != nil || environment["SOLVER_URL"] != nil {
            return try endpoints(base: LocalNetwork.defaultEndpoints)
        }
        throw CLIError("no local network is running (with home \(home.path)); start one with `lilypad devnet`, or pass -n NETWORK")
    }

    private func parse(_ text: String, _ what: String) throws -> EthereumAddress {
        do { return try EthereumAddress(text.trimmingCharacters(in: .whitespaces)) } catch { throw CLIError("\(what): \(error)") }
    }
}
