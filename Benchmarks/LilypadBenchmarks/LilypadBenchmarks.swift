import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedger

/// Prints throughput figures for the foundation's hot paths. Run in release:
///
///     swift run -c release --scratch-path .build-release lilypad-benchmarks
@main
enum LilypadBenchmarks {
    static func main() async throws {
        print("Lilypad foundation benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        let key = try PrivateKey(hex: "4c0883a69102937d6231471b5dbb6204fe512961708279df95b4a2200eb6b5e7")
        let message = Array(repeating: UInt8(ascii: "x"), count: 256)

        let megabyte = [UInt8](repeating: 0xA5, count: 1 << 20)
        measure("keccak256, 1 MiB", unit: "MiB/s", iterations: 64) { _ = Keccak256.hash(megabyte) }

        let digest = Keccak256.hash(message)
        measure("secp256k1 sign (recoverable)", unit: "signatures/s", iterations: 5_000) { _ = key.sign(digest: digest) }
        let signature = key.signPersonalMessage(message)
        measure("personal_sign recover + compare", unit: "verifications/s", iterations: 5_000) {
            _ = try? signature.verifyPersonalMessage(message, signer: key.address)
        }

        let offer = JobOffer(
            createdAt: 1_764_000_000_000, nonce: "V1StGXR8_Z5jdHi6B-myT", jobCreator: key.address.checksummed,
            module: ModuleConfig(repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4"),
            spec: MachineSpec(cpu: 1000, ram: 100), inputs: ["Message": "\"hello <world> & more\""],
            services: ServiceConfig(solver: key.address.checksummed, mediator: [key.address.checksummed]))
        measure("job offer Go JSON + CIDv0 ID", unit: "IDs/s", iterations: 20_000) { _ = try? offer.computeID() }

        let verifier = RequestVerifier(capacity: 10_000_000)
        let body = Array(try GoJSONEncoder().encode(offer))
        var counter = 0
        let requests = (0...5_000).map { index in
            SignedRequest.sign(
                method: "POST", target: "/api/v1/job_offers", audience: "solver:8080", body: body, key: key, nonce: "bench-nonce-\(index)-000000")
        }
        measure("signed request verify (replay-checked)", unit: "requests/s", iterations: requests.count - 1) {
            let fields = requests[counter].fields
            counter += 1
            _ = try? verifier.verify(method: "POST", target: "/api/v1/job_offers", audience: "solver:8080", body: body) { name in
                fields.first { $0.name == name }?.value
            }
        }

        try await ledgerBenchmarks()

        let file = [UInt8](repeating: 0x5A, count: 64 << 20)
        measure("UnixFS CIDv0 of a 64 MiB file", unit: "MiB/s", iterations: 3, work: 64) {
            var builder = UnixFS.FileBuilder()
            builder.append(file)
            _ = builder.finish()
        }
    }

    /// Deal lifecycles (agree → addResult → acceptResult) through the ledger, in memory and on SQLite.
    static func ledgerBenchmarks() async throws {
        let jobCreator = try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)
        let provider = try PrivateKey(hex: DevelopmentAccounts.resourceProvider.privateKey)
        let solver = try PrivateKey(hex: DevelopmentAccounts.solver.privateKey)
        let mediator = try EthereumAddress(DevelopmentAccounts.mediator.address)
        let genesis = LedgerGenesis.development
        let deals = 300
        // Sign everything first: the figures are for the ledger, not for the clients' signing.
        func lifecycle(_ index: Int, nonces: inout [EthereumAddress: UInt64]) -> [LedgerTransaction] {
            func next(_ key: PrivateKey) -> UInt64 {
                defer { nonces[key.address, default: 0] += 1 }
                return nonces[key.address, default: 0]
            }
            let terms = DealTerms(
                dealID: "QmBench\(index)", solver: solver.address, jobCreator: jobCreator.address, resourceProvider: provider.address,
                mediators: [mediator],
                pricing: .init(instructionPrice: .lp(1), paymentCollateral: .lp(2), resultsCollateralMultiple: 2, mediationFee: .lp(1)),
                timeouts: .init(
                    submitResultsSeconds: 3600, submitResultsCollateral: .lp(1), judgeResultsSeconds: 3600,
                    judgeResultsCollateral: .lp(1), mediateResultsSeconds: 3600))
            let digest = terms.consentDigest(chainID: genesis.chainID)
            let agree = LedgerAction.agree(
                terms: terms, jobCreatorConsent: jobCreator.sign(digest: digest).hexString,
                resourceProviderConsent: provider.sign(digest: digest).hexString)
            return [
                LedgerTransaction(chainID: genesis.chainID, nonce: next(solver), action: agree, key: solver),
                LedgerTransaction(
                    chainID: genesis.chainID, nonce: next(provider),
                    action: .addResult(dealID: terms.dealID, resultsID: "r", dataID: "d", instructionCount: 1), key: provider),
                LedgerTransaction(chainID: genesis.chainID, nonce: next(jobCreator), action: .acceptResult(dealID: terms.dealID), key: jobCreator),
            ]
        }
        var nonces: [EthereumAddress: UInt64] = [:]
        let setup = [
            LedgerTransaction(chainID: genesis.chainID, nonce: 0, action: .deposit(amount: .lp(50_000)), key: jobCreator),
            LedgerTransaction(chainID: genesis.chainID, nonce: 0, action: .deposit(amount: .lp(50_000)), key: provider),
        ]
        nonces[jobCreator.address] = 1
        nonces[provider.address] = 1
        let transactions = (0..<deals).map { lifecycle($0, nonces: &nonces) }

        for (label, path) in [("in memory", nil), ("SQLite, one block per transaction", NSTemporaryDirectory() + "bench-\(UUID()).sqlite")] {
            let ledger = try Ledger.open(genesis: genesis, path: path)
            _ = try await ledger.submit(setup)
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                for deal in transactions {
                    for transaction in deal { _ = try await ledger.submit([transaction]) }
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let name = "ledger deal lifecycles, \(label)".padding(toLength: 42, withPad: " ", startingAt: 0)
            print(
                "  \(name) \(String(format: "%12.0f", Double(deals) / seconds)) deals/s (\(String(format: "%.0f", Double(deals * 3) / seconds)) tx/s)"
            )
            if let path { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// Runs `body` `iterations` times and prints the rate (`work` units per iteration).
    static func measure(_ name: String, unit: String, iterations: Int, work: Double = 1, _ body: () -> Void) {
        body()  // warm-up
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(iterations) * work / seconds
        let padded = name.padding(toLength: 42, withPad: " ", startingAt: 0)
        print("  \(padded) \(String(format: "%12.0f", rate)) \(unit)")
    }
}
