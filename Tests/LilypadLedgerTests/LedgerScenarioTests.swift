import LilypadCrypto
import Testing

@testable import LilypadLedger

/// A ledger with three funded parties and helpers to drive one deal.
struct LedgerHarness {
    let jobCreator = PrivateKey.random()
    let provider = PrivateKey.random()
    let mediator = PrivateKey.random()
    let solver = PrivateKey.random()
    let minter = PrivateKey.random()
    let protocolAccount = PrivateKey.random().address
    var state: LedgerState
    var now: UInt64 = 1_000_000

    init() throws {
        state = LedgerState(chainID: 412_346, protocolAccount: protocolAccount, mintingEnabled: true)
        for key in [jobCreator, provider, mediator] {
            try send(minter, .mint(to: key.address, amount: .lp(1000)))
        }
        try send(jobCreator, .deposit(amount: .lp(100)))
        try send(provider, .deposit(amount: .lp(100)))
    }

    /// Lilypad's hardhat example: price 10 LP, multiple 4, payment collateral 30, fee 5, timeout collateral 10.
    func terms(dealID: String = "QmDeal1") -> DealTerms {
        DealTerms(
            dealID: dealID, solver: solver.address, jobCreator: jobCreator.address, resourceProvider: provider.address,
            mediators: [mediator.address],
            pricing: .init(instructionPrice: .lp(10), paymentCollateral: .lp(30), resultsCollateralMultiple: 4, mediationFee: .lp(5)),
            timeouts: .init(
                submitResultsSeconds: 60, submitResultsCollateral: .lp(10), judgeResultsSeconds: 60,
                judgeResultsCollateral: .lp(10), mediateResultsSeconds: 60))
    }

    @discardableResult
    mutating func send(_ key: PrivateKey, _ action: LedgerAction) throws(LedgerError) -> [LedgerEvent] {
        let transaction = LedgerTransaction(chainID: state.chainID, nonce: state.nextNonce(of: key.address), action: action, key: key)
        return try state.apply(transaction, context: .init(timestamp: now, previousBlockHash: Array(repeating: 7, count: 32)))
    }

    mutating func agree(_ terms: DealTerms) throws(LedgerError) {
        let digest = terms.consentDigest(chainID: state.chainID)
        try send(
            solver,
            .agree(
                terms: terms, jobCreatorConsent: jobCreator.sign(digest: digest).hexString,
                resourceProviderConsent: provider.sign(digest: digest).hexString))
    }

    /// Balance plus escrow, in whole LP (signed, to read differences).
    func holdings(_ address: EthereumAddress) -> Int {
        let total = state.balance(of: address).adding(state.escrowBalance(of: address)) ?? .max
        return Int(total.quotientAndRemainder(dividingBy: 1_000_000_000_000_000_000).quotient.description) ?? -1
    }

    var lockedInDeals: UInt256 { state.deals.values.reduce(UInt256.zero) { $0.adding($1.locked) ?? .max } }

    func supplyIsConserved() -> Bool {
        var total = UInt256.zero
        for value in Array(state.balances.values) + Array(state.escrow.values) { total = total.adding(value) ?? .max }
        return total.adding(lockedInDeals) == state.totalSupply
    }
}

@Suite("Deal contract scenarios")
struct LedgerScenarioTests {
    func run(_ steps: (inout LedgerHarness) throws -> Void) throws -> (jc: Int, rp: Int, mediator: Int, protocol: Int, harness: LedgerHarness) {
        var ledger = try LedgerHarness()
        let before = (ledger.holdings(ledger.jobCreator.address), ledger.holdings(ledger.provider.address), ledger.holdings(ledger.mediator.address))
        try steps(&ledger)
        #expect(ledger.supplyIsConserved())
        #expect(ledger.lockedInDeals.isZero, "a finished deal holds nothing")
        return (
            ledger.holdings(ledger.jobCreator.address) - before.0, ledger.holdings(ledger.provider.address) - before.1,
            ledger.holdings(ledger.mediator.address) - before.2, ledger.holdings(ledger.protocolAccount), ledger
        )
    }

    @Test func happyPath() throws {
        let result = try run { ledger in
            try ledger.agree(ledger.terms())
            try ledger.send(ledger.provider, .addResult(dealID: "QmDeal1", resultsID: "QmR", dataID: "QmD", instructionCount: 1))
            try ledger.send(ledger.jobCreator, .acceptResult(dealID: "QmDeal1"))
        }
        #expect((result.jc, result.rp, result.mediator, result.protocol) == (-10, 10, 0, 0))
        #expect(result.harness.state.deals["QmDeal1"]?.state == .resultsAccepted)
    }

    @Test func mediationAccepts() throws {
        let result = try run { ledger in
            try ledger.agree(ledger.terms())
            try ledger.send(ledger.provider, .addResult(dealID: "QmDeal1", resultsID: "QmR", dataID: "QmD", instructionCount: 1))
            try ledger.send(ledger.jobCreator, .checkResult(dealID: "QmDeal1"))
            try ledger.send(ledger.mediator, .mediationAcceptResult(dealID: "QmDeal1"))
        }
        #expect((result.jc, result.rp, result.mediator, result.protocol) == (-15, 10, 5, 0))
    }

    @Test func mediationRejects() throws {
        let result = try run { ledger in
            try ledger.agree(ledger.terms())
            try ledger.send(ledger.provider, .addResult(dealID: "QmDeal1", resultsID: "QmR", dataID: "QmD", instructionCount: 1))
            try ledger.send(ledger.jobCreator, .checkResult(dealID: "QmDeal1"))
            try ledger.send(ledger.mediator, .mediationRejectResult(dealID: "QmDeal1"))
        }
        #expect((result.jc, result.rp, result.mediator, result.protocol) == (-5, -40, 5, 40))
    }

    @Test func providerNeverSubmits() throws {
        let result = try run { ledger in
            try ledger.agree(ledger.terms())
            ledger.now += 30
            #expect(throws: LedgerError.tooEarly(deal: "QmDeal1", action: "timeoutSubmitResults", secondsLeft: 30)) {
                try ledger.send(ledger.jobCreator, .timeoutSubmitResults(dealID: "QmDeal1"))
            }
            ledger.now += 31
            #expect(throws: LedgerError.tooLate(deal: "QmDeal1", action: "addResult")) {
                try ledger.send(ledger.provider, .addResult(dealID: "QmDeal1", resultsID: "r", dataID: "d", instructionCount: 1))
            }
            try ledger.send(ledger.jobCreator, .timeoutSubmitResults(dealID: "QmDeal1"))
        }
        // The job creator is refunded and receives the provider's timeout collateral.
        #expect((result.jc, result.rp, result.mediator, result.protocol) == (10, -10, 0, 0))
    }

    @Test func jobCreatorNeverJudges() throws {
        let result = try run { ledger in
            try ledger.agree(ledger.terms())
            try ledger.send(ledger.provider, .addResult(dealID: "QmDeal1", resultsID: "QmR", dataID: "QmD", instructionCount: 1))
            ledger.now += 61
            try ledger.send(ledger.provider, .timeoutJudgeResults(dealID: "QmDeal1"))
        }
        // Fixed: the provider is paid for the job (10) and takes the job creator's timeout collateral (10).
        #expect((result.jc, result.rp, result.mediator, result.protocol) == (-20, 20, 0, 0))
    }

    @Test func mediatorNeverRules() throws {
        let result = try run { ledger in
            try ledger.agree(ledger.terms())
            try ledger.send(ledger.provider, .addResult(dealID: "QmDeal1", resultsID: "QmR", dataID: "QmD", instructionCount: 1))
            ledger.now += 50
            try ledger.send(ledger.jobCreator, .checkResult(dealID: "QmDeal1"))
            ledger.now += 30  // fixed: the mediation clock starts at the check, not at submission
            #expect(throws: LedgerError.self) { try ledger.send(ledger.jobCreator, .timeoutMediateResults(dealID: "QmDeal1")) }
            ledger.now += 31
            try ledger.send(ledger.jobCreator, .timeoutMediateResults(dealID: "QmDeal1"))
        }
        #expect((result.jc, result.rp, result.mediator, result.protocol) == (0, 0, 0, 0))
    }

    @Test func refusalsChangeNothingAndSayWhy() throws {
        var ledger = try LedgerHarness()
        let terms = ledger.terms()
        let digest = terms.consentDigest(chainID: ledger.state.chainID)
        let before = ledger.state
        // The solver cannot agree for a job creator that did not consent.
        let forged = #expect(throws: LedgerError.self) {
            try ledger.send(
                ledger.solver,
                .agree(
                    terms: terms, jobCreatorConsent: ledger.provider.sign(digest: digest).hexString,
                    resourceProviderConsent: ledger.provider.sign(digest: digest).hexString))
        }
        #expect(forged?.description.contains("job creator's consent signature does not match") == true)
        // Consent to other terms does not carry over.
        var other = terms
        other.pricing.instructionPrice = .lp(1)
        #expect(throws: LedgerError.self) {
            try ledger.send(
                ledger.solver,
                .agree(
                    terms: other, jobCreatorConsent: ledger.jobCreator.sign(digest: digest).hexString,
                    resourceProviderConsent: ledger.provider.sign(digest: digest).hexString))
        }
        // Refused transactions change nothing, not even the sender's nonce.
        #expect(ledger.state == before)

        try ledger.agree(terms)
        #expect(throws: LedgerError.dealExists("QmDeal1")) { try ledger.agree(terms) }
        #expect(throws: LedgerError.wrongState(deal: "QmDeal1", action: "acceptResult", state: "DealAgreed")) {
            try ledger.send(ledger.jobCreator, .acceptResult(dealID: "QmDeal1"))
        }
        let wrongSigner = #expect(throws: LedgerError.self) {
            try ledger.send(ledger.jobCreator, .addResult(dealID: "QmDeal1", resultsID: "r", dataID: "d", instructionCount: 1))
        }
        #expect(wrongSigner?.description.contains("only the deal's resource provider submits results") == true)
        #expect(throws: LedgerError.unknownDeal("QmNope")) { try ledger.send(ledger.jobCreator, .acceptResult(dealID: "QmNope")) }

        // Replay: the same signed transaction twice.
        let transfer = LedgerTransaction(
            chainID: ledger.state.chainID, nonce: ledger.state.nextNonce(of: ledger.mediator.address),
            action: .transfer(to: ledger.jobCreator.address, amount: .lp(1)), key: ledger.mediator)
        let context = LedgerState.BlockContext(timestamp: ledger.now, previousBlockHash: [])
        _ = try ledger.state.apply(transfer, context: context)
        #expect(throws: LedgerError.wrongNonce(expected: transfer.nonce + 1, got: transfer.nonce)) {
            try ledger.state.apply(transfer, context: context)
        }
        // Tampering with a signed transaction.
        var tampered = LedgerTransaction(
            chainID: ledger.state.chainID, nonce: ledger.state.nextNonce(of: ledger.mediator.address),
            action: .transfer(to: ledger.jobCreator.address, amount: .lp(1)), key: ledger.mediator)
        tampered.action = .transfer(to: ledger.jobCreator.address, amount: .lp(900))
        #expect(throws: LedgerError.badSignature) { try ledger.state.apply(tampered, context: context) }
        // Another chain.
        let foreign = LedgerTransaction(chainID: 1, nonce: 0, action: .deposit(amount: .lp(1)), key: ledger.mediator)
        #expect(throws: LedgerError.wrongChain(expected: 412_346, got: 1)) { try ledger.state.apply(foreign, context: context) }
        // Spending more than one has.
        let broke = #expect(throws: LedgerError.self) { try ledger.send(ledger.mediator, .withdraw(amount: .lp(1))) }
        #expect(broke?.description.contains("deposit more") == true)
        #expect(ledger.supplyIsConserved())
    }

    @Test func mintingOnlyOnDevelopmentChains() throws {
        var state = LedgerState(chainID: 1, protocolAccount: .zero, mintingEnabled: false)
        let key = PrivateKey.random()
        let mint = LedgerTransaction(chainID: 1, nonce: 0, action: .mint(to: key.address, amount: .lp(5)), key: key)
        #expect(throws: LedgerError.mintingDisabled) { try state.apply(mint, context: .init(timestamp: 0, previousBlockHash: [])) }
    }

    @Test func amounts() {
        #expect(UInt256.lp(10).description == "10000000000000000000")
        #expect(UInt256.lp(10).lpDescription == "10 LP")
        #expect((UInt256.lp(1).adding(UInt256(500_000_000_000_000_000)))?.lpDescription == "1.5 LP")
        #expect(UInt256.max.adding(1) == nil)
        #expect(UInt256.zero.subtracting(1) == nil)
        #expect(UInt256(decimal: UInt256.max.description) == .max)
        #expect(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)  // 2^256
        #expect(UInt256(decimal: "12a") == nil)
    }
}
