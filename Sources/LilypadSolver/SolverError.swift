/// Why the solver refused a request. Each maps to a 4xx (or 503) with this text as the reason,
/// never to a 500 that a client would retry.
public enum SolverError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The start of the 404 reason for a deal whose job has no input files: how a client tells
    /// "no inputs" from a deal it may not see.
    public static let noInputFilesPrefix = "input files of deal"

    case invalidOffer(String)
    case notYourOffer(signer: String, party: String)
    case staleTimestamp(skewMilliseconds: Int, windowMilliseconds: Int)
    case wrongSolver(expected: String, got: String)
    case duplicateResourceOffer(provider: String, index: Int, existing: String)
    case notFound(String)
    case forbidden(String)
    case wrongState(deal: String, state: String, action: String)
    case busy(waiting: Int)
    case storage(String)

    /// The HTTP status that answers this refusal.
    public var httpStatus: Int {
        switch self {
        case .invalidOffer, .staleTimestamp, .wrongSolver: 400
        case .notYourOffer, .forbidden: 403
        case .notFound: 404
        case .duplicateResourceOffer, .wrongState: 409
        case .busy: 503
        case .storage: 500
        }
    }

    public var description: String {
        switch self {
        case .invalidOffer(let reason): "invalid offer: \(reason)"
        case .notYourOffer(let signer, let party): "the request is signed by \(signer), but the offer is \(party)'s"
        case .staleTimestamp(let skew, let window):
            "the offer's created_at is \(skew / 1000) s from the solver's clock (at most \(window / 1000) s is accepted): check the clock"
        case .wrongSolver(let expected, let got): "the offer names solver \(got), but this solver is \(expected)"
        case .duplicateResourceOffer(let provider, let index, let existing):
            "\(provider) already has an active resource offer for slot \(index) (\(existing)); withdraw it or use another index"
        case .notFound(let what): "\(what) not found"
        case .forbidden(let reason): reason
        case .wrongState(let deal, let state, let action): "cannot \(action) deal \(deal): it is in state \(state)"
        case .busy(let waiting): "the network is busy (\(waiting) job offers are waiting); retry later"
        case .storage(let reason): "the solver could not store the request: \(reason)"
        }
    }
}
