import LilypadCore
import LilypadCrypto

/// Something a party asks the ledger to do.
public enum LedgerAction: Sendable, Hashable, Codable {
    /// Move tokens from the sender's balance to another account's balance.
    case transfer(to: EthereumAddress, amount: UInt256)
    /// Move tokens from the sender's balance into its escrow (Lilypad's `payEscrow`).
    case deposit(amount: UInt256)
    /// Move free escrow back to the sender's balance.
    case withdraw(amount: UInt256)
    /// Agree a deal: both parties' consent signatures over ``DealTerms/consentDigest(chainID:)``;
    /// escrows the job creator's payment and timeout collateral and the provider's timeout collateral.
    case agree(terms: DealTerms, jobCreatorConsent: String, resourceProviderConsent: String)
    /// The provider submits results (escrowing its results collateral).
    case addResult(dealID: String, resultsID: String, dataID: String, instructionCount: UInt64)
    /// The provider could not run the job at all (bad image, module that cannot be fetched…): the job
    /// creator is refunded in full and the provider gets its timeout collateral back, unpaid.
    case reportFailure(dealID: String, reason: String)
    /// The job creator accepts the results: the provider is paid.
    case acceptResult(dealID: String)
    /// The job creator disputes the results: a mediator is drawn and the fee escrowed.
    case checkResult(dealID: String)
    /// The drawn mediator upholds the results.
    case mediationAcceptResult(dealID: String)
    /// The drawn mediator rejects the results: the provider's results collateral is slashed.
    case mediationRejectResult(dealID: String)
    /// The provider did not submit results in time.
    case timeoutSubmitResults(dealID: String)
    /// The job creator did not accept or check results in time.
    case timeoutJudgeResults(dealID: String)
    /// The mediator did not rule in time.
    case timeoutMediateResults(dealID: String)
    /// Create tokens (development networks only: the faucet).
    case mint(to: EthereumAddress, amount: UInt256)
    /// Publish or update the sender's service record (Lilypad's `LilypadUsers.updateUser`).
    case registerUser(url: String, roles: [ServiceRole], metadataCID: String)
    /// Open a proof-of-work round (the protocol account only).
    case powNewRound
    /// Ask for this round's challenge for one of the sender's nodes.
    case powChallenge(nodeID: String)
    /// Submit a nonce with `keccak256(challenge ‖ nonce) < difficulty` for the sender's open challenge.
    case powSubmit(nodeID: String, nonce: UInt256)

    /// The action's name, as in Lilypad's contracts.
    public var name: String {
        switch self {
        case .transfer: "transfer"
        case .deposit: "deposit"
        case .withdraw: "withdraw"
        case .agree: "agree"
        case .addResult: "addResult"
        case .reportFailure: "reportFailure"
        case .acceptResult: "acceptResult"
        case .checkResult: "checkResult"
        case .mediationAcceptResult: "mediationAcceptResult"
        case .mediationRejectResult: "mediationRejectResult"
        case .timeoutSubmitResults: "timeoutSubmitResults"
        case .timeoutJudgeResults: "timeoutJudgeResults"
        case .timeoutMediateResults: "timeoutMediateResults"
        case .mint: "mint"
        case .registerUser: "registerUser"
        case .powNewRound: "powNewRound"
        case .powChallenge: "powChallenge"
        case .powSubmit: "powSubmit"
        }
    }
}

/// A transaction: an action, signed by its sender's key, bound to one chain and one nonce.
public struct LedgerTransaction: Sendable, Hashable, Codable {
    public var chainID: UInt64
    public var sender: EthereumAddress
    /// The sender's transaction count so far: each nonce is used exactly once, in order.
    public var nonce: UInt64
    public var action: LedgerAction
    /// `0x` hex of the EIP-191 signature over ``signingMessage``.
    public var signature: String

    /// Builds and signs a transaction.
    public init(chainID: UInt64, nonce: UInt64, action: LedgerAction, key: PrivateKey) {
        self.chainID = chainID
        self.sender = key.address
        self.nonce = nonce
        self.action = action
        signature = ""
        signature = key.signPersonalMessage(Array(signingMessage.utf8)).hexString
    }

    /// The text that is signed: chain, sender, nonce and the action's canonical JSON.
    public var signingMessage: String {
        let action = (try? GoJSONEncoder().encodeToString(self.action)) ?? ""
        return "Lilypad ledger transaction\nchain: \(chainID)\nsender: \(sender.checksummed)\nnonce: \(nonce)\naction: \(action)"
    }

    /// The transaction's hash: Keccak-256 of the signing text and the signature.
    public var hash: String {
        Hex.encode(Keccak256.hash(Array((signingMessage + "\n" + signature).utf8)), prefix: true)
    }

    /// Whether the signature was made by ``sender``.
    public var isSignatureValid: Bool {
        guard let parsed = try? RecoverableSignature(hex: signature) else { return false }
        return (try? parsed.recoverPersonalMessageSigner(Array(signingMessage.utf8))) == sender
    }
}
