import LilypadCore
import LilypadCrypto

extension DealTerms {
    /// Seconds the job creator has to accept or dispute results (Lilypad's download timeout).
    public static let judgeResultsSeconds: UInt64 = 3600
    /// Seconds a mediator has to rule.
    public static let mediateResultsSeconds: UInt64 = 3600
    /// Execution timeout of a job that names none (Lilypad's `TIMEOUT_EXECUTION_SECONDS`).
    public static let defaultExecutionSeconds: UInt64 = 900

    /// The ledger terms of a solver deal. Both parties derive them from the deal alone, so they
    /// sign the same terms without talking to each other:
    ///
    /// - prices are the deal's, in whole LP;
    /// - the provider must submit results within the job's execution timeout, staking the job's
    ///   price as timeout collateral;
    /// - the job creator must judge within ``judgeResultsSeconds``, staking the job's price too;
    /// - a mediator must rule within ``mediateResultsSeconds``.
    public init(deal: Deal) throws(DealTermsError) {
        func address(_ text: String, _ role: String) throws(DealTermsError) -> EthereumAddress {
            do { return try EthereumAddress(text) } catch { throw DealTermsError(reason: "the deal's \(role) \"\(text)\" is not an address") }
        }
        let mediators = try (deal.members.mediators ?? []).map { text throws(DealTermsError) in try address(text, "mediator") }
        let pricing = DealTerms.Pricing(deal.pricing)
        let execution = deal.jobOffer.executionTimeoutSeconds > 0 ? deal.jobOffer.executionTimeoutSeconds : Self.defaultExecutionSeconds
        self.init(
            dealID: deal.id, solver: try address(deal.members.solver, "solver"), jobCreator: try address(deal.members.jobCreator, "job creator"),
            resourceProvider: try address(deal.members.resourceProvider, "resource provider"), mediators: mediators, pricing: pricing,
            timeouts: Timeouts(
                submitResultsSeconds: execution, submitResultsCollateral: Self.timeoutCollateral(pricing),
                judgeResultsSeconds: Self.judgeResultsSeconds, judgeResultsCollateral: Self.timeoutCollateral(pricing),
                mediateResultsSeconds: Self.mediateResultsSeconds))
    }

    /// The timeout collateral each party stakes on a deal: the job's price.
    static func timeoutCollateral(_ pricing: Pricing) -> UInt256 { pricing.instructionPrice }

    /// What a job creator must have free in escrow to take a deal at `pricing`: the payment
    /// collateral and its timeout collateral, plus the mediation fee if it will ask for mediation.
    public static func jobCreatorStake(_ pricing: DealPricing, mediation: Bool = false) -> UInt256 {
        let terms = Pricing(pricing)
        let stake = terms.paymentCollateral.adding(timeoutCollateral(terms)) ?? .max
        return mediation ? stake.adding(terms.mediationFee) ?? .max : stake
    }

    /// What a provider must have free in escrow to take a deal at `pricing`: its timeout
    /// collateral and its results collateral for one instruction.
    public static func resourceProviderStake(_ pricing: DealPricing) -> UInt256 {
        let terms = Pricing(pricing)
        let results = terms.instructionPrice.multiplied(by: terms.resultsCollateralMultiple) ?? .max
        return timeoutCollateral(terms).adding(results) ?? .max
    }
}

/// A deal that cannot be turned into ledger terms.
public struct DealTermsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var description: String { "cannot derive the deal's ledger terms: \(reason)" }
}
