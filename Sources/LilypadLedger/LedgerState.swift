import LilypadCrypto

/// The settlement ledger's state and rules: balances, escrow, and the deal contract.
///
/// ``apply(_:context:)`` either applies a transaction completely or refuses it and changes
/// nothing. No rule creates or destroys tokens except ``LedgerAction/mint(to:amount:)`` on a
/// development chain, so ``totalSupply`` only moves by minting.
///
/// Where Lilypad v2's contracts are wrong, the rules here are deliberately different:
/// agreement is one step with both parties' consent (no agree timeout to get stuck in); a judge
/// timeout pays the provider as the contract's comment intended; the mediation timeout runs from
/// the check and uses its own duration; refunds return exactly what each party paid in.
public struct LedgerState: Sendable, Hashable {
    /// The ledger's chain ID; transactions for other chains are refused.
    public let chainID: UInt64
    /// Receives slashed results collateral.
    public let protocolAccount: EthereumAddress
    /// Whether ``LedgerAction/mint(to:amount:)`` is allowed (development networks).
    public let mintingEnabled: Bool

    public internal(set) var balances: [EthereumAddress: UInt256] = [:]
    public internal(set) var escrow: [EthereumAddress: UInt256] = [:]
    public internal(set) var nonces: [EthereumAddress: UInt64] = [:]
    public internal(set) var deals: [String: DealRecord] = [:]
    /// Every token in existence: balances + escrow + what deals hold.
    public internal(set) var totalSupply: UInt256 = .zero
    /// Published service records (service discovery).
    public internal(set) var users: [EthereumAddress: UserRecord] = [:]
    /// Proof-of-work settings and progress.
    public let pow: PowSettings
    public internal(set) var powRound: UInt64 = 0
    public internal(set) var powRoundStart: UInt64 = 0
    public internal(set) var powChallenges: [EthereumAddress: PowChallenge] = [:]
    /// Accepted proofs per account, for uptime rewards.
    public internal(set) var powSubmissions: [EthereumAddress: UInt64] = [:]
    /// The values replaced since the journal was last cleared (see ``LedgerState+Journal``).
    var journal: [JournalEntry] = []

    public init(chainID: UInt64, protocolAccount: EthereumAddress, mintingEnabled: Bool, pow: PowSettings = .lilypad) {
        self.chainID = chainID
        self.protocolAccount = protocolAccount
        self.mintingEnabled = mintingEnabled
        self.pow = pow
    }

    /// What a block tells the transactions in it.
    public struct BlockContext: Sendable, Hashable {
        /// Seconds since the Unix epoch, by the block producer.
        public var timestamp: UInt64
        /// The previous block's hash: entropy no party of a deal can choose.
        public var previousBlockHash: [UInt8]
        /// This block's height.
        public var height: UInt64

        public init(timestamp: UInt64, previousBlockHash: [UInt8], height: UInt64 = 0) {
            self.timestamp = timestamp
            self.previousBlockHash = previousBlockHash
            self.height = height
        }
    }

    /// A deal on the ledger.
    public struct DealRecord: Sendable, Hashable, Codable {
        public var terms: DealTerms
        public var state: DealContractState
        public var agreedAt: UInt64
        public var resultsSubmittedAt: UInt64 = 0
        public var checkedAt: UInt64 = 0
        public var resultsID = ""
        public var dataID = ""
        public var instructionCount: UInt64 = 0
        /// Drawn at agreement, revealed and used only if the job creator checks the results.
        public var mediator: EthereumAddress
        /// What the deal holds for each purpose.
        public var lockedPaymentCollateral: UInt256 = .zero
        public var lockedJobCreatorTimeoutCollateral: UInt256 = .zero
        public var lockedProviderTimeoutCollateral: UInt256 = .zero
        public var lockedResultsCollateral: UInt256 = .zero
        public var lockedMediationFee: UInt256 = .zero

        /// Everything the deal holds.
        public var locked: UInt256 {
            [
                lockedPaymentCollateral, lockedJobCreatorTimeoutCollateral, lockedProviderTimeoutCollateral, lockedResultsCollateral,
                lockedMediationFee,
            ]
            .reduce(UInt256.zero) { $0.adding($1) ?? .max }
        }

        /// The job's cost: price × instructions, capped by the payment collateral.
        var cost: UInt256 {
            let full = terms.pricing.instructionPrice.multiplied(by: max(instructionCount, 1)) ?? .max
            return min(full, lockedPaymentCollateral)
        }
    }

    public func balance(of account: EthereumAddress) -> UInt256 { balances[account] ?? .zero }
    public func escrowBalance(of account: EthereumAddress) -> UInt256 { escrow[account] ?? .zero }
    public func nextNonce(of account: EthereumAddress) -> UInt64 { nonces[account] ?? 0 }

    /// Applies a signed transaction, or throws and changes nothing.
    public mutating func apply(_ transaction: LedgerTransaction, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        let events = try applyKeepingJournal(transaction, context: context)
        journal.removeAll(keepingCapacity: true)
        return events
    }

    /// Applies a transaction inside a block: on success its writes stay in the journal (for the
    /// block's state hash, and to undo the block if it cannot be stored); on refusal they are undone.
    mutating func applyKeepingJournal(_ transaction: LedgerTransaction, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        guard transaction.chainID == chainID else { throw .wrongChain(expected: chainID, got: transaction.chainID) }
        guard transaction.isSignatureValid else { throw .badSignature }
        let expected = nextNonce(of: transaction.sender)
        guard transaction.nonce == expected else { throw .wrongNonce(expected: expected, got: transaction.nonce) }
        // Every write records the value it replaces, so a refusal half-way is undone in O(writes)
        // instead of copying the whole state up front.
        let mark = journal.count
        do {
            let events = try perform(transaction.action, sender: transaction.sender, context: context)
            setNonce(expected + 1, for: transaction.sender)
            return events
        } catch {
            rollback(to: mark)
            throw error
        }
    }

    // MARK: - Actions

    private mutating func perform(_ action: LedgerAction, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        switch action {
        case .transfer(let to, let amount):
            try debitBalance(sender, amount)
            try creditBalance(to, amount)
            return [.transfer(from: sender.checksummed, to: to.checksummed, amount: amount)]
        case .deposit(let amount):
            try debitBalance(sender, amount)
            try creditEscrow(sender, amount)
            return [.escrow(account: sender.checksummed, amount: amount, deposited: true)]
        case .withdraw(let amount):
            try debitEscrow(sender, amount)
            try creditBalance(sender, amount)
            return [.escrow(account: sender.checksummed, amount: amount, deposited: false)]
        case .mint(let to, let amount):
            guard mintingEnabled else { throw .mintingDisabled }
            guard let supply = totalSupply.adding(amount) else { throw .amountOverflow }
            try creditBalance(to, amount)
            setScalars(totalSupply: supply)
            return [.minted(to: to.checksummed, amount: amount)]
        case .agree(let terms, let jobCreatorConsent, let resourceProviderConsent):
            return try agree(terms, jobCreatorConsent, resourceProviderConsent, sender: sender, context: context)
        case .addResult(let dealID, let resultsID, let dataID, let instructionCount):
            return try addResult(dealID, resultsID, dataID, instructionCount, sender: sender, context: context)
        case .reportFailure(let dealID, _):
            return try reportFailure(dealID, sender: sender)
        case .acceptResult(let dealID):
            return try acceptResult(dealID, sender: sender)
        case .checkResult(let dealID):
            return try checkResult(dealID, sender: sender, context: context)
        case .mediationAcceptResult(let dealID):
            return try mediationAccept(dealID, sender: sender, context: context)
        case .mediationRejectResult(let dealID):
            return try mediationReject(dealID, sender: sender, context: context)
        case .timeoutSubmitResults(let dealID):
            return try timeoutSubmitResults(dealID, sender: sender, context: context)
        case .timeoutJudgeResults(let dealID):
            return try timeoutJudgeResults(dealID, sender: sender, context: context)
        case .timeoutMediateResults(let dealID):
            return try timeoutMediateResults(dealID, sender: sender, context: context)
        case .registerUser(let url, let roles, let metadataCID):
            return try registerUser(sender, url: url, roles: roles, metadataCID: metadataCID)
        case .powNewRound:
            return try powNewRound(sender, height: context.height)
        case .powChallenge(let nodeID):
            return try powChallenge(sender, nodeID: nodeID, height: context.height, context: context)
        case .powSubmit(let nodeID, let nonce):
            return try powSubmit(sender, nodeID: nodeID, nonce: nonce, height: context.height)
        }
    }

    private mutating func agree(
        _ terms: DealTerms, _ jobCreatorConsent: String, _ providerConsent: String, sender: EthereumAddress,
        context: BlockContext
    ) throws(LedgerError) -> [LedgerEvent] {
        guard deals[terms.dealID] == nil else { throw .dealExists(terms.dealID) }
        guard !terms.dealID.isEmpty else { throw .invalidTerms("the deal ID is empty") }
        guard terms.jobCreator != terms.resourceProvider else { throw .invalidTerms("the job creator and the provider are the same account") }
        guard !terms.mediators.isEmpty else { throw .invalidTerms("there must be at least one mediator") }
        guard !terms.mediators.contains(terms.jobCreator), !terms.mediators.contains(terms.resourceProvider) else {
            throw .invalidTerms("a party of the deal cannot be its mediator")
        }
        guard terms.pricing.instructionPrice <= terms.pricing.paymentCollateral else {
            throw .invalidTerms("the payment collateral must cover at least one instruction's price")
        }
        guard [terms.solver, terms.jobCreator, terms.resourceProvider].contains(sender) else {
            throw .notEntitled(action: "agree", signer: sender.checksummed, reason: "only the deal's solver or parties submit its agreement")
        }
        let digest = terms.consentDigest(chainID: chainID)
        for (party, consent, role) in [
            (terms.jobCreator, jobCreatorConsent, "job creator"), (terms.resourceProvider, providerConsent, "resource provider"),
        ] {
            guard let signature = try? RecoverableSignature(hex: consent), (try? signature.recoverAddress(digest: digest)) == party else {
                throw .notEntitled(action: "agree", signer: sender.checksummed, reason: "the \(role)'s consent signature does not match these terms")
            }
        }
        let jobCreatorStake = try sum(terms.pricing.paymentCollateral, terms.timeouts.judgeResultsCollateral)
        try debitEscrow(terms.jobCreator, jobCreatorStake)
        try debitEscrow(terms.resourceProvider, terms.timeouts.submitResultsCollateral)
        // The mediator is drawn now, from entropy fixed before anyone knows whether mediation will happen.
        let draw = Keccak256.hash(Array(terms.dealID.utf8) + context.previousBlockHash)
        let index = Int(draw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % UInt64(terms.mediators.count))
        var record = DealRecord(terms: terms, state: .dealAgreed, agreedAt: context.timestamp, mediator: terms.mediators[index])
        record.lockedPaymentCollateral = terms.pricing.paymentCollateral
        record.lockedJobCreatorTimeoutCollateral = terms.timeouts.judgeResultsCollateral
        record.lockedProviderTimeoutCollateral = terms.timeouts.submitResultsCollateral
        setDeal(record, for: terms.dealID)
        let id = terms.dealID
        return [
            .payment(
                dealID: id, payee: terms.jobCreator.checksummed, amount: terms.pricing.paymentCollateral, reason: .paymentCollateral,
                direction: .paidIn),
            .payment(
                dealID: id, payee: terms.jobCreator.checksummed, amount: terms.timeouts.judgeResultsCollateral, reason: .timeoutCollateral,
                direction: .paidIn),
            .payment(
                dealID: id, payee: terms.resourceProvider.checksummed, amount: terms.timeouts.submitResultsCollateral, reason: .timeoutCollateral,
                direction: .paidIn),
            .dealStateChange(dealID: id, state: .dealAgreed),
        ]
    }

    private mutating func addResult(
        _ dealID: String, _ resultsID: String, _ dataID: String, _ count: UInt64, sender: EthereumAddress,
        context: BlockContext
    ) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealRecord(dealID, action: "addResult", expecting: .dealAgreed)
        try require(sender == deal.terms.resourceProvider, "addResult", sender, "only the deal's resource provider submits results")
        guard context.timestamp <= deal.agreedAt + deal.terms.timeouts.submitResultsSeconds else { throw .tooLate(deal: dealID, action: "addResult") }
        deal.instructionCount = max(count, 1)
        deal.resultsID = resultsID
        deal.dataID = dataID
        guard let resultsCollateral = deal.cost.multiplied(by: deal.terms.pricing.resultsCollateralMultiple) else { throw .amountOverflow }
        try debitEscrow(sender, resultsCollateral)
        var events: [LedgerEvent] = [
            .payment(dealID: dealID, payee: sender.checksummed, amount: resultsCollateral, reason: .resultsCollateral, direction: .paidIn)
        ]
        events += try release(&deal.lockedProviderTimeoutCollateral, to: sender, dealID: dealID, reason: .timeoutCollateral, direction: .refunded)
        deal.lockedResultsCollateral = resultsCollateral
        deal.state = .resultsSubmitted
        deal.resultsSubmittedAt = context.timestamp
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .resultsSubmitted)]
    }

    private mutating func reportFailure(_ dealID: String, sender: EthereumAddress) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealRecord(dealID, action: "reportFailure", expecting: .dealAgreed)
        try require(sender == deal.terms.resourceProvider, "reportFailure", sender, "only the deal's resource provider reports that it failed")
        let jobCreator = deal.terms.jobCreator
        var events = try release(&deal.lockedPaymentCollateral, to: jobCreator, dealID: dealID, reason: .paymentCollateral, direction: .refunded)
        events += try release(
            &deal.lockedJobCreatorTimeoutCollateral, to: jobCreator, dealID: dealID, reason: .timeoutCollateral, direction: .refunded)
        events += try release(&deal.lockedProviderTimeoutCollateral, to: sender, dealID: dealID, reason: .timeoutCollateral, direction: .refunded)
        deal.state = .jobFailed
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .jobFailed)]
    }

    private mutating func acceptResult(_ dealID: String, sender: EthereumAddress) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealRecord(dealID, action: "acceptResult", expecting: .resultsSubmitted)
        try require(sender == deal.terms.jobCreator, "acceptResult", sender, "only the deal's job creator accepts results")
        let events = try payProvider(&deal, refundJobCreatorTimeoutCollateral: true)
        deal.state = .resultsAccepted
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .resultsAccepted)]
    }

    private mutating func checkResult(_ dealID: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealRecord(dealID, action: "checkResult", expecting: .resultsSubmitted)
        try require(sender == deal.terms.jobCreator, "checkResult", sender, "only the deal's job creator asks for mediation")
        guard context.timestamp <= deal.resultsSubmittedAt + deal.terms.timeouts.judgeResultsSeconds else {
            throw .tooLate(deal: dealID, action: "checkResult")
        }
        let fee = deal.terms.pricing.mediationFee
        try debitEscrow(sender, fee)
        var events = try release(
            &deal.lockedJobCreatorTimeoutCollateral, to: sender, dealID: dealID, reason: .timeoutCollateral, direction: .refunded)
        events.append(.payment(dealID: dealID, payee: sender.checksummed, amount: fee, reason: .mediationFee, direction: .paidIn))
        deal.lockedMediationFee = fee
        deal.state = .resultsChecked
        deal.checkedAt = context.timestamp
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .resultsChecked)]
    }

    /// The checked deal a mediator rules on, if `sender` is its drawn mediator and is in time.
    private func dealForRuling(_ dealID: String, action: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> DealRecord {
        let deal = try dealRecord(dealID, action: action, expecting: .resultsChecked)
        try require(sender == deal.mediator, action, sender, "only the mediator drawn for this deal rules on it")
        guard context.timestamp <= deal.checkedAt + deal.terms.timeouts.mediateResultsSeconds else { throw .tooLate(deal: dealID, action: action) }
        return deal
    }

    private mutating func mediationAccept(_ dealID: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealForRuling(dealID, action: "mediationAcceptResult", sender: sender, context: context)
        var events = try payProvider(&deal, refundJobCreatorTimeoutCollateral: false)
        events += try pay(&deal.lockedMediationFee, to: sender, dealID: dealID, reason: .mediationFee)
        deal.state = .mediationAccepted
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .mediationAccepted)]
    }

    private mutating func mediationReject(_ dealID: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealForRuling(dealID, action: "mediationRejectResult", sender: sender, context: context)
        let jobCreator = deal.terms.jobCreator
        var events = try release(&deal.lockedPaymentCollateral, to: jobCreator, dealID: dealID, reason: .paymentCollateral, direction: .refunded)
        events += try pay(&deal.lockedMediationFee, to: sender, dealID: dealID, reason: .mediationFee)
        events += try slash(
            &deal.lockedResultsCollateral, of: deal.terms.resourceProvider, to: protocolAccount, dealID: dealID, reason: .resultsCollateral)
        deal.state = .mediationRejected
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .mediationRejected)]
    }

    private mutating func timeoutSubmitResults(_ dealID: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent]
    {
        var deal = try dealRecord(dealID, action: "timeoutSubmitResults", expecting: .dealAgreed)
        try requireMember(deal, sender, "timeoutSubmitResults")
        try requireExpired(deal.agreedAt, deal.terms.timeouts.submitResultsSeconds, now: context.timestamp, dealID, "timeoutSubmitResults")
        let jobCreator = deal.terms.jobCreator
        // The job creator kept its promise: refunded in full, and compensated with the provider's timeout collateral.
        var events = try release(&deal.lockedPaymentCollateral, to: jobCreator, dealID: dealID, reason: .paymentCollateral, direction: .refunded)
        events += try release(
            &deal.lockedJobCreatorTimeoutCollateral, to: jobCreator, dealID: dealID, reason: .timeoutCollateral, direction: .refunded)
        events += try slash(
            &deal.lockedProviderTimeoutCollateral, of: deal.terms.resourceProvider, to: jobCreator, dealID: dealID, reason: .timeoutCollateral)
        deal.state = .timeoutSubmitResults
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .timeoutSubmitResults)]
    }

    private mutating func timeoutJudgeResults(_ dealID: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent] {
        var deal = try dealRecord(dealID, action: "timeoutJudgeResults", expecting: .resultsSubmitted)
        try requireMember(deal, sender, "timeoutJudgeResults")
        try requireExpired(deal.resultsSubmittedAt, deal.terms.timeouts.judgeResultsSeconds, now: context.timestamp, dealID, "timeoutJudgeResults")
        // The provider kept its promise: paid for the job (Lilypad v2 never paid it here) and
        // compensated with the job creator's timeout collateral.
        var events = try payProvider(&deal, refundJobCreatorTimeoutCollateral: false)
        events += try slash(
            &deal.lockedJobCreatorTimeoutCollateral, of: deal.terms.jobCreator, to: deal.terms.resourceProvider, dealID: dealID,
            reason: .timeoutCollateral)
        deal.state = .timeoutJudgeResults
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .timeoutJudgeResults)]
    }

    private mutating func timeoutMediateResults(_ dealID: String, sender: EthereumAddress, context: BlockContext) throws(LedgerError) -> [LedgerEvent]
    {
        var deal = try dealRecord(dealID, action: "timeoutMediateResults", expecting: .resultsChecked)
        try requireMember(deal, sender, "timeoutMediateResults")
        try requireExpired(deal.checkedAt, deal.terms.timeouts.mediateResultsSeconds, now: context.timestamp, dealID, "timeoutMediateResults")
        // The mediator failed both parties: everyone gets back exactly what they paid in.
        let jobCreator = deal.terms.jobCreator, provider = deal.terms.resourceProvider
        var events = try release(&deal.lockedResultsCollateral, to: provider, dealID: dealID, reason: .resultsCollateral, direction: .refunded)
        events += try release(&deal.lockedPaymentCollateral, to: jobCreator, dealID: dealID, reason: .paymentCollateral, direction: .refunded)
        events += try release(&deal.lockedMediationFee, to: jobCreator, dealID: dealID, reason: .mediationFee, direction: .refunded)
        deal.state = .timeoutMediateResults
        setDeal(deal, for: dealID)
        return events + [.dealStateChange(dealID: dealID, state: .timeoutMediateResults)]
    }

    // MARK: - Money movements

    /// Pays the provider the job's cost from the payment collateral, refunds the rest of it to the
    /// job creator, and returns the provider's results collateral.
    private mutating func payProvider(_ deal: inout DealRecord, refundJobCreatorTimeoutCollateral: Bool) throws(LedgerError) -> [LedgerEvent] {
        let id = deal.terms.dealID, jobCreator = deal.terms.jobCreator, provider = deal.terms.resourceProvider
        let cost = deal.cost
        guard let remainder = deal.lockedPaymentCollateral.subtracting(cost) else { throw .amountOverflow }
        deal.lockedPaymentCollateral = cost
        var events = try pay(&deal.lockedPaymentCollateral, to: provider, dealID: id, reason: .jobPayment)
        var rest = remainder
        events += try release(&rest, to: jobCreator, dealID: id, reason: .paymentCollateral, direction: .refunded)
        if refundJobCreatorTimeoutCollateral {
            events += try release(
                &deal.lockedJobCreatorTimeoutCollateral, to: jobCreator, dealID: id, reason: .timeoutCollateral, direction: .refunded)
        }
        events += try release(&deal.lockedResultsCollateral, to: provider, dealID: id, reason: .resultsCollateral, direction: .refunded)
        return events
    }

    /// Returns a party's own locked funds to its escrow.
    private mutating func release(
        _ locked: inout UInt256, to party: EthereumAddress, dealID: String, reason: PaymentReason,
        direction: PaymentDirection
    ) throws(LedgerError) -> [LedgerEvent] {
        let amount = locked
        locked = .zero
        guard !amount.isZero else { return [] }
        try creditEscrow(party, amount)
        return [.payment(dealID: dealID, payee: party.checksummed, amount: amount, reason: reason, direction: direction)]
    }

    /// Pays locked funds to `payee`'s balance as earnings.
    private mutating func pay(
        _ locked: inout UInt256, to payee: EthereumAddress, dealID: String, reason: PaymentReason
    ) throws(LedgerError) -> [LedgerEvent] {
        let amount = locked
        locked = .zero
        guard !amount.isZero else { return [] }
        try creditBalance(payee, amount)
        return [.payment(dealID: dealID, payee: payee.checksummed, amount: amount, reason: reason, direction: .paidOut)]
    }

    /// Takes `owner`'s locked funds and gives them to `beneficiary`'s balance.
    private mutating func slash(
        _ locked: inout UInt256, of owner: EthereumAddress, to beneficiary: EthereumAddress, dealID: String,
        reason: PaymentReason
    ) throws(LedgerError) -> [LedgerEvent] {
        let amount = locked
        locked = .zero
        guard !amount.isZero else { return [] }
        try creditBalance(beneficiary, amount)
        return [
            .payment(dealID: dealID, payee: owner.checksummed, amount: amount, reason: reason, direction: .slashed),
            .payment(dealID: dealID, payee: beneficiary.checksummed, amount: amount, reason: reason, direction: .paidOut),
        ]
    }

    private mutating func debitBalance(_ account: EthereumAddress, _ amount: UInt256) throws(LedgerError) {
        let current = balance(of: account)
        guard let next = current.subtracting(amount) else {
            throw .insufficientBalance(account: account.checksummed, needed: amount.lpDescription, available: current.lpDescription)
        }
        setBalance(next, for: account)
    }

    private mutating func creditBalance(_ account: EthereumAddress, _ amount: UInt256) throws(LedgerError) {
        guard let next = balance(of: account).adding(amount) else { throw .amountOverflow }
        setBalance(next, for: account)
    }

    private mutating func debitEscrow(_ account: EthereumAddress, _ amount: UInt256) throws(LedgerError) {
        let current = escrowBalance(of: account)
        guard let next = current.subtracting(amount) else {
            throw .insufficientEscrow(account: account.checksummed, needed: amount.lpDescription, available: current.lpDescription)
        }
        setEscrow(next, for: account)
    }

    private mutating func creditEscrow(_ account: EthereumAddress, _ amount: UInt256) throws(LedgerError) {
        guard let next = escrowBalance(of: account).adding(amount) else { throw .amountOverflow }
        setEscrow(next, for: account)
    }

    // MARK: - Checks

    private func dealRecord(_ id: String, action: String, expecting state: DealContractState) throws(LedgerError) -> DealRecord {
        guard let deal = deals[id] else { throw .unknownDeal(id) }
        guard deal.state == state else { throw .wrongState(deal: id, action: action, state: deal.state.rawValue) }
        return deal
    }

    private func require(_ condition: Bool, _ action: String, _ signer: EthereumAddress, _ reason: String) throws(LedgerError) {
        guard condition else { throw .notEntitled(action: action, signer: signer.checksummed, reason: reason) }
    }

    private func requireMember(_ deal: DealRecord, _ signer: EthereumAddress, _ action: String) throws(LedgerError) {
        let members = [deal.terms.jobCreator, deal.terms.resourceProvider, deal.terms.solver]
        try require(members.contains(signer), action, signer, "only the deal's parties or solver can call its timeouts")
    }

    private func requireExpired(_ start: UInt64, _ duration: UInt64, now: UInt64, _ dealID: String, _ action: String) throws(LedgerError) {
        let deadline = start + duration
        guard now > deadline else { throw .tooEarly(deal: dealID, action: action, secondsLeft: deadline - now) }
    }

    private func sum(_ a: UInt256, _ b: UInt256) throws(LedgerError) -> UInt256 {
        guard let total = a.adding(b) else { throw .amountOverflow }
        return total
    }
}
