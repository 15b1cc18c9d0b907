/// What happened, as the contracts' events: a deal changed state, or money moved.
public enum LedgerEvent: Sendable, Hashable, Codable {
    case dealStateChange(dealID: String, state: DealContractState)
    case payment(dealID: String, payee: String, amount: UInt256, reason: PaymentReason, direction: PaymentDirection)
    case transfer(from: String, to: String, amount: UInt256)
    case escrow(account: String, amount: UInt256, deposited: Bool)
    case minted(to: String, amount: UInt256)
    case userUpdated(address: String, url: String, roles: [ServiceRole])
    case powRoundStarted(round: UInt64, startHeight: UInt64)
    case powChallenge(address: String, nodeID: String, challenge: String, difficulty: UInt256)
    case powWorkAccepted(address: String, nodeID: String, round: UInt64)
}

/// Why a deal payment happened (Lilypad's `PaymentReason`).
public enum PaymentReason: String, Sendable, Hashable, Codable {
    case paymentCollateral = "PaymentCollateral"
    case resultsCollateral = "ResultsCollateral"
    case timeoutCollateral = "TimeoutCollateral"
    case jobPayment = "JobPayment"
    case mediationFee = "MediationFee"
}

/// Which way a deal payment went (Lilypad's `PaymentDirection`).
public enum PaymentDirection: String, Sendable, Hashable, Codable {
    case paidIn = "PaidIn"
    case paidOut = "PaidOut"
    case refunded = "Refunded"
    case slashed = "Slashed"
}

/// The deal contract's states. Each maps to Lilypad's agreement state number for events.
public enum DealContractState: String, Sendable, Hashable, Codable, CaseIterable {
    case dealAgreed = "DealAgreed"
    case resultsSubmitted = "ResultsSubmitted"
    case resultsAccepted = "ResultsAccepted"
    case resultsChecked = "ResultsChecked"
    case mediationAccepted = "MediationAccepted"
    case mediationRejected = "MediationRejected"
    case timeoutSubmitResults = "TimeoutSubmitResults"
    case timeoutJudgeResults = "TimeoutJudgeResults"
    case timeoutMediateResults = "TimeoutMediateResults"
    /// The provider reported that it could not run the job.
    case jobFailed = "JobFailed"

    /// True once nothing more can happen to the deal.
    public var isFinal: Bool {
        switch self {
        case .dealAgreed, .resultsSubmitted, .resultsChecked: false
        default: true
        }
    }
}
