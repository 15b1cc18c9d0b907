import ArgumentParser
import Foundation
import LilypadLedgerService

/// `--ledger URL` (default `$LEDGER_URL`, else the local network's ledger).
struct LedgerOptions: ParsableArguments {
    static let defaultURL = "http://127.0.0.1:8547"

    @Option(help: "The ledger service URL (default: $LEDGER_URL or \(LedgerOptions.defaultURL)).")
    var ledger: String?

    var client: LedgerClient {
        LedgerClient(baseURL: ledger ?? ProcessInfo.processInfo.environment["LEDGER_URL"] ?? Self.defaultURL)
    }
}
