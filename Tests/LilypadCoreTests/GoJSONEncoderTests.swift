import Foundation
import LilypadCrypto
import Testing

@testable import LilypadCore

@Suite("Go JSON encoder")
struct GoJSONEncoderTests {
    let encoder = GoJSONEncoder()

    @Test(arguments: [
        ("plain", #""plain""#),
        ("<a href=\"x\">&</a>", #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#),
        ("line\u{2028}para\u{2029}", #""line\u2028para\u2029""#),
        ("\u{8}\u{c}\n\r\t\\", #""\b\f\n\r\t\\""#),
        ("\u{0}\u{1}\u{1f}\u{7f}", #""\u0000\u0001\u001f\#u{7f}""#),
        ("é中🐸", "\"é中🐸\""),
        ("e\u{301}", "\"e\u{301}\""),  // not normalised: bytes are kept as given
    ])
    func stringEscaping(input: String, expected: String) throws {
        #expect(try encoder.encodeToString(input) == expected)
    }

    @Test func nilAndEmptyCollectionsDiffer() throws {
        #expect(try encoder.encodeToString(InputFiles(required: nil, optional: [])) == #"{"required":null,"optional":[]}"#)
        #expect(
            try encoder.encodeToString(ServiceConfig(solver: "s", mediator: ["m"], apiHost: "")) == #"{"solver":"s","mediator":["m"],"api_host":""}"#)
    }

    @Test func mapKeysAreSortedByBytes() throws {
        let inputs = ["b": "2", "a": "1", "B": "3", "é": "4", "aa": "5", "<": "6"]
        #expect(try encoder.encodeToString(inputs) == #"{"\u003c":"6","B":"3","a":"1","aa":"5","b":"2","é":"4"}"#)
    }

    @Test func integersAtTheirLimits() throws {
        #expect(try encoder.encodeToString([Int.min, Int.max]) == "[-9223372036854775808,9223372036854775807]")
        #expect(try encoder.encodeToString(UInt64.max) == "18446744073709551615")
    }

    @Test(arguments: [
        (0.0, "0"), (1.0, "1"), (-2.5, "-2.5"), (0.1, "0.1"), (123456.789, "123456.789"), (1e20, "100000000000000000000"),
        (1e21, "1e+21"), (1.5e300, "1.5e+300"), (0.000001, "0.000001"), (0.0000001, "1e-7"), (1.25e-10, "1.25e-10"),
    ])
    func floatsLikeGo(value: Double, expected: String) throws {
        #expect(try encoder.encodeToString(value) == expected)
    }

    @Test func resultCarriesResultsID() throws {
        let result = JobResult(dealID: "d", dataID: "Qm1", error: "", instructionCount: 1)
        let json = try encoder.encodeToString(result)
        #expect(json == #"{"id":"","deal_id":"d","data_id":"Qm1","error":"","instruction_count":1,"results_id":"Qm1"}"#)
        // On input, results_id wins over data_id, as in Lilypad.
        let decoded = try JSONDecoder().decode(
            JobResult.self, from: Data(#"{"id":"","deal_id":"d","data_id":"old","error":"","instruction_count":1,"results_id":"new"}"#.utf8))
        #expect(decoded.dataID == "new")
    }
}

@Suite("Data model and IDs")
struct DataModelTests {
    @Test func moduleConfigVectors() throws {
        // Reference §2.1.
        let lower = ModuleConfig(repo: "https://github.com/lilypad-tech/lilypad-module-cowsay", hash: "v0.0.4")
        #expect(try lower.moduleID() == "QmVvTRUBJiiUmEp3P1ubU3djgsbABdF3xswouVpM21rCto")
        let upper = ModuleConfig(repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4")
        #expect(try upper.moduleID() == "QmX9UaY3mYb34R7R5tjRGSDTsEgpkCvLajd5oneWi9uzBi")
    }

    static let jobOffer = JobOffer(
        createdAt: 1_764_000_000_000, nonce: "V1StGXR8_Z5jdHi6B-myT", jobCreator: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        module: ModuleConfig(repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4"),
        spec: MachineSpec(cpu: 1000, ram: 100), inputs: ["Message": "\"moo\""],
        services: ServiceConfig(solver: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", mediator: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"]))

    @Test func jobOfferJSONFieldOrder() throws {
        let json = try GoJSONEncoder().encodeToString(Self.jobOffer)
        #expect(
            json == """
                {"id":"","created_at":1764000000000,"nonce":"V1StGXR8_Z5jdHi6B-myT","job_creator":"0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",\
                "module":{"name":"","repo":"https://github.com/Lilypad-Tech/lilypad-module-cowsay","hash":"v0.0.4","path":"/lilypad_module.json.tmpl"},\
                "spec":{"gpu":0,"gpus":null,"cpu":1000,"ram":100,"disk":0},"inputs":{"Message":"\\"moo\\""},\
                "inputFiles":{"required":null,"optional":null},"executionTimeoutSeconds":0,"mode":"MarketPrice",\
                "pricing":{"instruction_price":0,"payment_collateral":0,"results_collateral_multiple":0,"mediation_fee":0},\
                "trusted_parties":{"solver":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","mediator":["0x90F79bf6EB2c4f870365E785982E1f101E93b906"],"api_host":""},\
                "target":{"address":""}}
                """)
    }

    @Test func idIgnoresTheIDFieldAndCoversEverythingElse() throws {
        let id = try Self.jobOffer.computeID()
        #expect(id.hasPrefix("Qm") && id.count == 46)
        var withID = Self.jobOffer
        withID.id = "QmSomethingElse"
        #expect(try withID.computeID() == id)
        var changed = Self.jobOffer
        changed.services.apiHost = "https://api.example"
        #expect(try changed.computeID() != id)
        var emptyList = Self.jobOffer
        emptyList.inputFiles.required = []
        #expect(try emptyList.computeID() != id)  // [] and null are different JSON, so a different ID
    }

    @Test func dealIDCoversOfferIDs() throws {
        let job = try Self.jobOffer.withComputedID()
        let resource = try ResourceOffer(createdAt: 1, resourceProvider: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65").withComputedID()
        let deal = try Deal(
            members: DealMembers(solver: "s", jobCreator: job.jobCreator, resourceProvider: resource.resourceProvider, mediators: ["m"]),
            pricing: resource.defaultPricing, jobOffer: job, resourceOffer: resource
        ).withComputedID()
        let container = DealContainer(deal: deal, createdAt: 5)
        #expect(container.jobOffer == job.id && container.resourceOffer == resource.id && container.state == .dealAgreed)
        let json = try GoJSONEncoder().encodeToString(container)
        #expect(json.contains(#""job_offer":"\#(job.id)""#))
        let decoded = try JSONDecoder().decode(DealContainer.self, from: Data(json.utf8))
        #expect(decoded == container)
        #expect(try GoJSONEncoder().encodeToString(decoded) == json)
    }

    @Test func statesKeepTheirWireNumbers() throws {
        let names = AgreementState.allCases.map(\.name)
        #expect(
            names == [
                "DealNegotiating", "DealAgreed", "ResultsSubmitted", "ResultsAccepted", "ResultsChecked", "MediationAccepted",
                "MediationRejected", "TimeoutSubmitResults", "TimeoutJudgeResults", "TimeoutMediateResults", "JobOfferCancelled",
                "JobTimedOut", "Uploading", "Downloading", "TimeoutMatch", "TimeoutExecution", "TimeoutDownload",
            ])
        #expect(AgreementState.allCases.map(\.rawValue) == Array(0...16))
        #expect(AgreementState(name: "TimeoutExecution") == .timeoutExecution)
        #expect(AgreementState(name: "ResultsRejected") == nil)
        #expect(try GoJSONEncoder().encodeToString(AgreementState.timeoutDownload) == "16")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AgreementState.self, from: Data("17".utf8)) }
        #expect(AgreementState.allCases.filter(\.isCancelled).map(\.rawValue) == [10, 11, 14, 15, 16])
        #expect(AgreementState.allCases.filter(\.isActiveJobOffer).map(\.rawValue) == [0, 1, 2])
    }

    @Test func pricingModeIsStrict() {
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(PricingMode.self, from: Data(#""Cheap""#.utf8)) }
        #expect("\(String(describing: error))".contains("MarketPrice or FixedPrice"))
    }

    @Test func unitsAreExplicit() {
        let ram = Mebibytes(bytes: ByteCount(3 * 1_048_576 + 5))
        #expect(ram == 3)
        #expect(ram.bytes == ByteCount(3 * 1_048_576))
        #expect(Millicores(cores: 2) == 2000)
        #expect("\(Mebibytes(512))" == "512 MiB")
    }

    @Test func transactionsMergeOnlyNonEmptyFields() {
        var record = DealTransactions()
        record.jobCreator.agree = "0xa"
        var update = DealTransactions()
        update.resourceProvider.addResult = "0xb"
        record.merge(update)
        #expect(record.jobCreator.agree == "0xa" && record.resourceProvider.addResult == "0xb")
    }
}

@Suite("Development accounts")
struct DevelopmentAccountsTests {
    @Test func keysMatchTheirAddresses() throws {
        for account in DevelopmentAccounts.all {
            #expect(try PrivateKey(hex: account.privateKey).address.checksummed == account.address, "\(account.role)")
        }
    }
}
