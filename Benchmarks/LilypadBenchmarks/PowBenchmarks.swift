import Foundation
import LilypadCrypto
import LilypadLedger
import LilypadPow

extension LilypadBenchmarks {
    /// Proof-of-work hash rate: the miner on one thread and on every CPU (impossible difficulty,
    /// a fixed number of hashes per worker), and the per-hash cost of the Keccak paths it avoids.
    /// `LILYPAD_BENCH=pow` runs only these.
    static func powBenchmarks() async {
        let challenge = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        var input = challenge + [UInt8](repeating: 0, count: 32)
        var digest = [UInt8](repeating: 0, count: 32)
        measure("pow keccak256, 64 bytes into a buffer", unit: "hashes/s", iterations: 2_000_000) {
            input[63] &+= 1
            input.withUnsafeBytes { message in digest.withUnsafeMutableBytes { Keccak256.hash(message, into: $0) } }
        }
        var nonce = UInt256.zero
        measure("pow hash via LedgerState.powHash", unit: "hashes/s", iterations: 300_000) {
            nonce = nonce.adding(1) ?? .zero
            _ = LedgerState.powHash(challenge: challenge, nonce: nonce)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for workers in Set([1, cores]).sorted() {
            let name = "pow miner, \(workers) thread\(workers == 1 ? "" : "s")"
            if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !name.contains(only) { continue }
            let miner = PowMiner(workerCount: workers, hashLimitPerWorker: 4_000_000)
            let clock = ContinuousClock()
            var hashes: UInt64 = 0
            let elapsed = await clock.measure {
                do {
                    _ = try await miner.mine(challenge: challenge, difficulty: .zero)  // nothing is below zero
                } catch PowMinerError.exhausted(let count) {
                    hashes = count
                } catch {
                    print("  \(name): \(error)")
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let padded = name.padding(toLength: 42, withPad: " ", startingAt: 0)
            print("  \(padded) \(String(format: "%12.2f", Double(hashes) / seconds / 1e6)) MH/s")
        }
    }
}
