/// Why the ledger refused a transaction. Nothing changes when a transaction is refused.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongChain(expected: UInt64, got: UInt64)
    case badSignature
    case wrongNonce(expected: UInt64, got: UInt64)
    case insufficientBalance(account: String, needed: String, available: String)
    case insufficientEscrow(account: String, needed: String, available: String)
    case amountOverflow
    case notEntitled(action: String, signer: String, reason: String)
    case unknownDeal(String)
    case dealExists(String)
    case wrongState(deal: String, action: String, state: String)
    case tooEarly(deal: String, action: String, secondsLeft: UInt64)
    case tooLate(deal: String, action: String)
    case invalidTerms(String)
    case mintingDisabled

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .wrongChain: "wrong_chain"
        case .badSignature: "bad_signature"
        case .wrongNonce: "wrong_nonce"
        case .insufficientBalance: "insufficient_balance"
        case .insufficientEscrow: "insufficient_escrow"
        case .amountOverflow: "amount_overflow"
        case .notEntitled: "not_entitled"
        case .unknownDeal: "unknown_deal"
        case .dealExists: "deal_exists"
        case .wrongState: "wrong_state"
        case .tooEarly: "too_early"
        case .tooLate: "too_late"
        case .invalidTerms: "invalid_terms"
        case .mintingDisabled: "minting_disabled"
        }
    }

    /// The HTTP status that answers a refused transaction.
    public var httpStatus: Int {
        switch self {
        case .badSignature: 401
        case .notEntitled, .mintingDisabled: 403
        case .unknownDeal: 404
        case .wrongNonce, .dealExists, .wrongState, .tooEarly, .tooLate: 409
        case .wrongChain, .amountOverflow, .invalidTerms, .insufficientBalance, .insufficientEscrow: 422
        }
    }

    public var description: String {
        switch self {
        case .wrongChain(let expected, let got): "transaction is for chain \(got), but this ledger is chain \(expected)"
        case .badSignature: "the transaction's signature does not match its sender"
        case .wrongNonce(let expected, let got): "nonce \(got) is not the sender's next nonce (\(expected)): a replay or an out-of-order transaction"
        case .insufficientBalance(let account, let needed, let available): "\(account) needs \(needed) but has \(available)"
        case .insufficientEscrow(let account, let needed, let available):
            "\(account) needs \(needed) in escrow but has \(available): deposit more with `lilypad wallet deposit`"
        case .amountOverflow: "the amount does not fit in 256 bits"
        case .notEntitled(let action, let signer, let reason): "\(signer) may not \(action): \(reason)"
        case .unknownDeal(let id): "no deal \(id) on the ledger"
        case .dealExists(let id): "deal \(id) was already agreed"
        case .wrongState(let deal, let action, let state): "cannot \(action) deal \(deal) in state \(state)"
        case .tooEarly(let deal, let action, let left): "cannot \(action) deal \(deal) yet: \(left) s left before the timeout"
        case .tooLate(let deal, let action): "too late to \(action) deal \(deal): its timeout has passed"
        case .invalidTerms(let reason): "invalid deal terms: \(reason)"
        case .mintingDisabled: "minting is only possible on development networks"
        }
    }
}
