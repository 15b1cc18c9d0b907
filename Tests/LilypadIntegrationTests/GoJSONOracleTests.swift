import Foundation
import LilypadCore
import Testing

/// The Go JSON encoder and Lilypad IDs against Go 1.23's own `encoding/json` (Lilypad v2.23's Go
/// version) on randomised data-model values.
@Suite("Go encoding/json oracle", .serialized)
struct GoJSONOracleTests {
    struct Sample {
        var type: String
        var json: String
        var id: String?
        var decodeAndEncode: (Data) throws -> String
    }

    @Test func randomisedValuesEncodeExactlyAsGo() throws {
        let binary = try Oracle.goJSONBinary.get()
        var generator = ModelGenerator(seed: SeededGenerator.configuredSeed)
        var samples: [Sample] = []
        for round in 0..<40 {
            samples += try generator.samples(round: round)
        }
        #expect(samples.count >= 400)
        let input = samples.map { "\($0.type)\t\($0.json)" }.joined(separator: "\n") + "\n"
        let output = try Oracle.run(binary, [], stdin: Data(input.utf8))
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        try #require(lines.count == samples.count, "\(lines.count) answers for \(samples.count) samples: \(output.stderr)")
        for (sample, line) in zip(samples, lines) {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(parts.count == 2, "\(sample.type): \(line)")
            #expect(parts[0] == sample.json, "\(sample.type): ours\n\(sample.json)\nGo's\n\(parts[0])")
            if let id = sample.id { #expect(parts[1] == id, "\(sample.type) ID: ours \(id), Go's \(parts[1])") }
            // Our decoder reads Go's bytes back to the same value.
            #expect(try sample.decodeAndEncode(Data(parts[0].utf8)) == sample.json, "\(sample.type) round trip")
        }
    }

    @Test func misnamedOrExtraFieldsWouldBeCaught() throws {
        // The oracle itself refuses JSON that is not exactly Lilypad's shape, so agreement above means something.
        let binary = try Oracle.goJSONBinary.get()
        let output = try Oracle.run(binary, [], stdin: Data("MachineSpec\t{\"gpu\":1,\"vram\":2}\n".utf8))
        #expect(output.stdout.hasPrefix("ERROR\tjson: unknown field \"vram\""))
    }
}

/// Random data-model values with hostile strings, extreme integers, and nil vs empty collections.
struct ModelGenerator {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    static let alphabet: [String] = [
        "a", "Z", "0", " ", "-", "_", "/", ":", "<", ">", "&", "\"", "\\", "'", "{", "}", "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{a}",
        "\u{c}", "\u{d}", "\u{1b}", "\u{1f}", "\u{7f}", "\u{80}", "\u{a0}", "é", "e\u{301}", "ß", "中", "🐸", "\u{2028}", "\u{2029}",
        "\u{feff}", "\u{fffd}", "{{", "}}", "%s",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func bool() -> Bool { Bool.random(using: &random) }

    mutating func string(maxLength: Int = 12) -> String {
        (0..<int(0...maxLength)).map { _ in Self.alphabet[int(0...(Self.alphabet.count - 1))] }.joined()
    }

    mutating func anyInt() -> Int {
        switch int(0...4) {
        case 0: 0
        case 1: Int.max
        case 2: Int.min
        case 3: int(-1000...1000)
        default: Int(truncatingIfNeeded: random.next())
        }
    }

    mutating func uint64() -> UInt64 {
        switch int(0...3) {
        case 0: 0
        case 1: UInt64.max
        case 2: UInt64(int(0...100))
        default: random.next()
        }
    }

    /// nil (Go nil slice → null), empty (`[]`) or some elements.
    mutating func list<T>(_ make: (inout ModelGenerator) -> T) -> [T]? {
        switch int(0...2) {
        case 0: nil
        case 1: []
        default: (0..<int(1...4)).map { _ in make(&self) }
        }
    }

    mutating func map<T>(_ make: (inout ModelGenerator) -> T) -> [String: T]? {
        guard let keys = list({ $0.string(maxLength: 6) }) else { return nil }
        var result: [String: T] = [:]
        for key in keys { result[key] = make(&self) }
        return result
    }

    mutating func spec() -> MachineSpec {
        MachineSpec(
            gpu: anyInt(), gpus: list { GPUSpec(name: $0.string(), vendor: $0.string(), vram: Mebibytes($0.anyInt())) },
            cpu: Millicores(anyInt()), ram: Mebibytes(anyInt()), disk: ByteCount(anyInt()))
    }

    mutating func pricing() -> DealPricing {
        DealPricing(instructionPrice: uint64(), paymentCollateral: uint64(), resultsCollateralMultiple: uint64(), mediationFee: uint64())
    }

    mutating func services() -> ServiceConfig {
        ServiceConfig(solver: string(), mediator: list { $0.string() }, apiHost: string())
    }

    mutating func module() -> ModuleConfig { ModuleConfig(name: string(), repo: string(), hash: string(), path: string()) }

    mutating func jobOffer() -> JobOffer {
        JobOffer(
            id: string(), createdAt: anyInt(), nonce: string(), jobCreator: string(), module: module(), spec: spec(),
            inputs: map { $0.string(maxLength: 30) }, inputFiles: InputFiles(required: list { $0.string() }, optional: list { $0.string() }),
            executionTimeoutSeconds: uint64(), mode: bool() ? .marketPrice : .fixedPrice, pricing: pricing(), services: services(),
            target: TargetConfig(address: string()))
    }

    mutating func resourceOffer() -> ResourceOffer {
        ResourceOffer(
            id: string(), createdAt: anyInt(), resourceProvider: string(), index: anyInt(), spec: spec(), modules: list { $0.string() },
            mode: bool() ? .marketPrice : .fixedPrice, defaultPricing: pricing(), modulePricing: map { $0.pricing() }, services: services())
    }

    mutating func state() -> AgreementState { AgreementState.allCases[int(0...16)] }

    mutating func deal() -> Deal {
        Deal(
            id: string(), members: DealMembers(solver: string(), jobCreator: string(), resourceProvider: string(), mediators: list { $0.string() }),
            pricing: pricing(), jobOffer: jobOffer(), resourceOffer: resourceOffer())
    }

    mutating func transactions() -> DealTransactions {
        var t = DealTransactions()
        t.resourceProvider.agree = string()
        t.resourceProvider.addResult = string()
        t.resourceProvider.timeoutAgree = string()
        t.resourceProvider.timeoutJudgeResult = string()
        t.resourceProvider.timeoutMediateResult = string()
        t.jobCreator.agree = string()
        t.jobCreator.acceptResult = string()
        t.jobCreator.checkResult = string()
        t.jobCreator.timeoutAgree = string()
        t.jobCreator.timeoutSubmitResult = string()
        t.jobCreator.timeoutMediateResult = string()
        t.mediator.mediationAcceptResult = string()
        t.mediator.mediationRejectResult = string()
        return t
    }

    static func sample<T: Codable>(_ type: String, _ value: T, id: String? = nil) throws -> GoJSONOracleTests.Sample {
        GoJSONOracleTests.Sample(type: type, json: try GoJSONEncoder().encodeToString(value), id: id) { data in
            try GoJSONEncoder().encodeToString(try JSONDecoder().decode(T.self, from: data))
        }
    }

    mutating func samples(round: Int) throws -> [GoJSONOracleTests.Sample] {
        let job = jobOffer(), resource = resourceOffer(), deal = deal(), module = module()
        return [
            try Self.sample("ModuleConfig", module, id: try module.moduleID()),
            try Self.sample("MachineSpec", spec()),
            try Self.sample("JobOffer", job, id: try job.computeID()),
            try Self.sample(
                "JobOfferContainer", JobOfferContainer(id: string(), dealID: string(), jobCreator: string(), state: state(), jobOffer: job)),
            try Self.sample("ResourceOffer", resource, id: try resource.computeID()),
            try Self.sample(
                "ResourceOfferContainer",
                ResourceOfferContainer(id: string(), dealID: string(), resourceProvider: string(), state: state(), resourceOffer: resource)),
            try Self.sample("Deal", deal, id: try deal.computeID()),
            try Self.sample(
                "DealContainer",
                DealContainer(
                    id: string(), createdAt: anyInt(), uploadAt: anyInt(), downloadAt: anyInt(), jobCreator: string(),
                    resourceProvider: string(), jobOffer: string(), resourceOffer: string(), state: state(), deal: deal,
                    transactions: transactions(), mediator: string())),
            try Self.sample(
                "Result", JobResult(id: string(), dealID: string(), dataID: string(), error: string(maxLength: 40), instructionCount: uint64())),
            try Self.sample("MatchDecision", MatchDecision(jobOffer: string(), resourceOffer: string(), deal: string(), result: bool())),
        ]
    }
}
