import LilypadCore
import LilypadCrypto

/// What both parties of a deal agree to, in the deal contract (Lilypad's `agree` arguments).
public struct DealTerms: Sendable, Hashable, Codable {
    /// Lilypad's deal ID (CIDv0 of the deal).
    public var dealID: String
    public var solver: EthereumAddress
    public var jobCreator: EthereumAddress
    public var resourceProvider: EthereumAddress
    /// Acceptable mediators; one is drawn if the job creator asks for mediation.
    public var mediators: [EthereumAddress]
    public var pricing: Pricing
    public var timeouts: Timeouts

    public init(
        dealID: String, solver: EthereumAddress, jobCreator: EthereumAddress, resourceProvider: EthereumAddress, mediators: [EthereumAddress],
        pricing: Pricing, timeouts: Timeouts
    ) {
        self.dealID = dealID
        self.solver = solver
        self.jobCreator = jobCreator
        self.resourceProvider = resourceProvider
        self.mediators = mediators
        self.pricing = pricing
        self.timeouts = timeouts
    }

    /// Prices and collaterals, in wei.
    public struct Pricing: Sendable, Hashable, Codable {
        /// Price per instruction (a job is one instruction).
        public var instructionPrice: UInt256
        /// Escrowed by the job creator to pay the job.
        public var paymentCollateral: UInt256
        /// The provider's results collateral is this multiple of the job's cost.
        public var resultsCollateralMultiple: UInt64
        /// Paid by the job creator to the mediator when it asks for mediation.
        public var mediationFee: UInt256

        public init(instructionPrice: UInt256, paymentCollateral: UInt256, resultsCollateralMultiple: UInt64, mediationFee: UInt256) {
            self.instructionPrice = instructionPrice
            self.paymentCollateral = paymentCollateral
            self.resultsCollateralMultiple = resultsCollateralMultiple
            self.mediationFee = mediationFee
        }

        /// The same prices in whole LP, from the solver's `DealPricing`.
        public init(_ pricing: DealPricing) {
            self.init(
                instructionPrice: .lp(pricing.instructionPrice), paymentCollateral: .lp(pricing.paymentCollateral),
                resultsCollateralMultiple: pricing.resultsCollateralMultiple, mediationFee: .lp(pricing.mediationFee))
        }
    }

    /// How long each waiting step may take, and what the waiting-on party stakes on it.
    public struct Timeouts: Sendable, Hashable, Codable {
        /// The provider must submit results within this many seconds of agreement…
        public var submitResultsSeconds: UInt64
        /// …or lose this collateral to the job creator.
        public var submitResultsCollateral: UInt256
        /// The job creator must accept or check results within this many seconds of submission…
        public var judgeResultsSeconds: UInt64
        /// …or lose this collateral to the provider (who is then paid).
        public var judgeResultsCollateral: UInt256
        /// The mediator must rule within this many seconds of the check, or both sides are refunded.
        public var mediateResultsSeconds: UInt64

        public init(
            submitResultsSeconds: UInt64, submitResultsCollateral: UInt256, judgeResultsSeconds: UInt64, judgeResultsCollateral: UInt256,
            mediateResultsSeconds: UInt64
        ) {
            self.submitResultsSeconds = submitResultsSeconds
            self.submitResultsCollateral = submitResultsCollateral
            self.judgeResultsSeconds = judgeResultsSeconds
            self.judgeResultsCollateral = judgeResultsCollateral
            self.mediateResultsSeconds = mediateResultsSeconds
        }
    }

    /// The digest each party signs (EIP-191) to consent to exactly these terms on `chainID`.
    public func consentDigest(chainID: UInt64) -> [UInt8] {
        PersonalMessage.digest(Array(consentMessage(chainID: chainID).utf8))
    }

    /// The human-readable text a party signs to consent.
    public func consentMessage(chainID: UInt64) -> String {
        let encoded = (try? GoJSONEncoder().encodeToString(self)) ?? ""
        return "Lilypad deal agreement\nchain: \(chainID)\n\(encoded)"
    }
}
