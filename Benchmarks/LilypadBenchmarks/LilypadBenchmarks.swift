import Foundation
import LilypadCore
import LilypadCrypto

/// Prints throughput figures for the foundation's hot paths. Run in release:
///
///     swift run -c release --scratch-path .build-release lilypad-benchmarks
@main
enum LilypadBenchmarks {
    static func main() throws {
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

        let file = [UInt8](repeating: 0x5A, count: 64 << 20)
        measure("UnixFS CIDv0 of a 64 MiB file", unit: "MiB/s", iterations: 3, work: 64) {
            var builder = UnixFS.FileBuilder()
            builder.append(file)
            _ = builder.finish()
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
