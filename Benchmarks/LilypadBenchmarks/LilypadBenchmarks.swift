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
        let encoder = GoJSONEncoder()
        measure("job offer Go JSON only", unit: "encodings/s", iterations: 20_000) { _ = try? encoder.encode(offer) }
        let json = (try? encoder.encode(offer)) ?? []
        measure("job offer CIDv0 of the JSON only", unit: "CIDs/s", iterations: 20_000) { _ = CID.dagPB(block: DagPB.encode(data: json)).description }

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

        await powBenchmarks()
        await sandboxStartBenchmark()
        await childProcessBenchmark()

        let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"]
        if only == nil { try await ledgerBenchmarks() }
        // LILYPAD_BENCH=matcher runs only the matcher's figures.
        if only == nil || "matcher".contains(only ?? "") { try matcherBenchmarks() }
        try await solverHTTPBenchmark()

        let file = [UInt8](repeating: 0x5A, count: 64 << 20)
        measure("UnixFS CIDv0 of a 64 MiB file", unit: "MiB/s", iterations: 3, work: 64) {
            var builder = UnixFS.FileBuilder()
            builder.append(file)
            _ = builder.finish()
        }

        try await dockerBenchmarks()
        await networkBenchmark()
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

    /// 10,000 resource offers × 100,000 job offers through the order book, in both arrival orders.
    static func matcherBenchmarks() throws {
        let solver = DevelopmentAccounts.solver.address, mediator = DevelopmentAccounts.mediator.address
        let hardware: [MachineSpec] = [
            MachineSpec(cpu: 4000, ram: 8192, disk: ByteCount(100 << 30)),
            MachineSpec(cpu: 16000, ram: 65536, disk: ByteCount(500 << 30)),
            MachineSpec(gpu: 1, gpus: [GPUSpec(name: "RTX 4090", vendor: "NVIDIA", vram: 24576)], cpu: 16000, ram: 65536, disk: ByteCount(1 << 40)),
            MachineSpec(gpu: 1, gpus: [GPUSpec(name: "H100", vendor: "NVIDIA", vram: 81920)], cpu: 32000, ram: 262_144, disk: ByteCount(2 << 40)),
        ]
        let needs: [MachineSpec] = [
            MachineSpec(cpu: 1000, ram: 100), MachineSpec(cpu: 2000, ram: 4096),
            MachineSpec(gpu: 1, gpus: [GPUSpec(vram: 16384)], cpu: 4000, ram: 16384),
            MachineSpec(gpu: 1, gpus: [GPUSpec(vram: 40960)], cpu: 8000, ram: 65536),
        ]
        // Offers arrive with their IDs computed (the solver does that on receipt) and keep that encoding.
        let resources = try (0..<10_000).map { index in
            try ResourceOffer(
                createdAt: index, resourceProvider: "0xprovider\(index / 4)", index: index % 4, spec: hardware[index % hardware.count],
                defaultPricing: DealPricing(
                    instructionPrice: UInt64(1 + index % 5), paymentCollateral: 10, resultsCollateralMultiple: 2, mediationFee: 1),
                services: ServiceConfig(solver: solver, mediator: [mediator])
            ).identified()
        }
        let jobs = try (0..<100_000).map { index in
            try JobOffer(
                createdAt: index, nonce: "n\(index)", jobCreator: "0xcreator\(index % 1000)",
                module: ModuleConfig(name: "cowsay:v0.0.4", repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4"),
                spec: needs[index % needs.count], mode: index % 3 == 0 ? .fixedPrice : .marketPrice,
                pricing: DealPricing(instructionPrice: UInt64(index % 6)), services: ServiceConfig(solver: solver, mediator: [mediator])
            ).identified()
        }
        let clock = ContinuousClock()
        let sample = try MatchRules.deal(job: jobs[0].value, resource: resources[0].value)
        measure("deal ID, full Go JSON encoding", unit: "deals/s", iterations: 5_000) { _ = try? sample.computeID() }
        measure("deal ID from the offers' kept JSON", unit: "deals/s", iterations: 5_000) {
            _ = try? Deal.computeID(
                members: sample.members, pricing: sample.pricing, jobOfferJSON: jobs[0].json, resourceOfferJSON: resources[0].json)
        }
        for (order, reserved) in [
            ("resource offers first", false), ("job offers first", false), ("resource offers first, reserved", true),
            ("job offers first, reserved", true),
        ] {
            // "reserved": the book is made with room for all the offers, as the solver makes it for its caps.
            var book = reserved ? OrderBook(jobs: jobs.count, resources: resources.count) : OrderBook()
            var matches = 0
            var latencies: [Duration] = []
            latencies.reserveCapacity(110_000)
            let elapsed = try clock.measure {
                func add(job: (value: JobOffer, json: [UInt8])) throws {
                    let start = clock.now
                    if case .matched = try book.add(job: job.value, json: job.json) { matches += 1 }
                    latencies.append(clock.now - start)
                }
                func add(resource: (value: ResourceOffer, json: [UInt8])) throws {
                    let start = clock.now
                    if try book.add(resource: resource.value, json: resource.json) != nil { matches += 1 }
                    latencies.append(clock.now - start)
                }
                // By index: the offers are passed borrowed, as the solver passes them, not copied out by an iterator.
                if order.hasPrefix("resource offers first") {
                    for index in resources.indices { try add(resource: resources[index]) }
                    for index in jobs.indices { try add(job: jobs[index]) }
                } else {
                    for index in jobs.indices { try add(job: jobs[index]) }
                    for index in resources.indices { try add(resource: resources[index]) }
                }
            }
            latencies.sort()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            func micros(_ q: Double) -> String {
                let value = latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))]
                return String(format: "%.1f", Double(value.components.attoseconds) / 1e12 + Double(value.components.seconds) * 1e6)
            }
            print(
                "  matcher 10k × 100k, \(order): \(matches) matches, \(String(format: "%.0f", Double(matches) / seconds)) matches/s, "
                    + "\(String(format: "%.0f", 110_000 / seconds)) offers/s; per offer p50 \(micros(0.5)) µs, p99 \(micros(0.99)) µs")
        }
    }

    /// Runs `body` `iterations` times and prints the rate (`work` units per iteration).
    static func measure(_ name: String, unit: String, iterations: Int, work: Double = 1, _ body: () -> Void) {
        // LILYPAD_BENCH=text runs only the figures whose name contains the text (e.g. under a profiler).
        if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !name.contains(only) { return }
        body()  // warm-up
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(iterations) * work / seconds
        let padded = name.padding(toLength: 42, withPad: " ", startingAt: 0)
        print("  \(padded) \(String(format: "%12.0f", rate)) \(unit)")
    }
}
