/// The state of a job offer, resource offer or deal, with Lilypad v2's wire numbers (`state`, a
/// Go `uint8`). Numbers 0–16 are fixed by the protocol and must never be renumbered.
public enum AgreementState: UInt8, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case dealNegotiating = 0
    case dealAgreed = 1
    case resultsSubmitted = 2
    case resultsAccepted = 3
    case resultsChecked = 4
    case mediationAccepted = 5
    case mediationRejected = 6
    case timeoutSubmitResults = 7
    case timeoutJudgeResults = 8
    case timeoutMediateResults = 9
    case jobOfferCancelled = 10
    case jobTimedOut = 11
    case uploading = 12
    case downloading = 13
    case timeoutMatch = 14
    case timeoutExecution = 15
    case timeoutDownload = 16

    /// The Go name, as Lilypad prints it (`DealAgreed`, `TimeoutExecution`, …).
    public var name: String {
        switch self {
        case .dealNegotiating: "DealNegotiating"
        case .dealAgreed: "DealAgreed"
        case .resultsSubmitted: "ResultsSubmitted"
        case .resultsAccepted: "ResultsAccepted"
        case .resultsChecked: "ResultsChecked"
        case .mediationAccepted: "MediationAccepted"
        case .mediationRejected: "MediationRejected"
        case .timeoutSubmitResults: "TimeoutSubmitResults"
        case .timeoutJudgeResults: "TimeoutJudgeResults"
        case .timeoutMediateResults: "TimeoutMediateResults"
        case .jobOfferCancelled: "JobOfferCancelled"
        case .jobTimedOut: "JobTimedOut"
        case .uploading: "Uploading"
        case .downloading: "Downloading"
        case .timeoutMatch: "TimeoutMatch"
        case .timeoutExecution: "TimeoutExecution"
        case .timeoutDownload: "TimeoutDownload"
        }
    }

    /// Looks a state up by its Go name; unknown names are `nil` (Lilypad silently used state 0).
    public init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = state
    }

    public var description: String { name }

    /// States of a deal whose job may still be running (before its results are in): the states in
    /// which its job creator can ask the job to stop.
    public var jobMayBeRunning: Bool { self == .dealNegotiating || self == .dealAgreed }

    /// States a job offer never leaves.
    public var isTerminal: Bool {
        switch self {
        case .resultsAccepted, .mediationAccepted, .mediationRejected, .jobOfferCancelled, .jobTimedOut,
            .timeoutMatch, .timeoutExecution, .timeoutDownload:
            true
        default:
            false
        }
    }

    /// Lilypad's "cancelled" filter: the job ended without a result.
    public var isCancelled: Bool {
        [.jobOfferCancelled, .jobTimedOut, .timeoutMatch, .timeoutExecution, .timeoutDownload].contains(self)
    }

    /// Lilypad's "active" job offer filter: still waiting for something to happen.
    public var isActiveJobOffer: Bool { self == .dealNegotiating || self == .dealAgreed || self == .resultsSubmitted }

    /// Lilypad's "active" resource offer filter.
    public var isActiveResourceOffer: Bool { self == .dealNegotiating || self == .dealAgreed }

    public init(from decoder: any Decoder) throws {
        let number = try decoder.singleValueContainer().decode(UInt8.self)
        guard let state = AgreementState(rawValue: number) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown agreement state \(number): states are numbered 0 to 16"))
        }
        self = state
    }
}
