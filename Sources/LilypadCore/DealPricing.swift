/// The prices and collaterals of a deal, in whole LP tokens (Lilypad's `DealPricing`).
public struct DealPricing: Sendable, Hashable, Codable {
    /// Price per instruction (a job counts as one instruction).
    public var instructionPrice: UInt64
    /// What the job creator escrows to cover the payment.
    public var paymentCollateral: UInt64
    /// The resource provider's results collateral, as a multiple of the job's cost.
    public var resultsCollateralMultiple: UInt64
    /// What a mediation costs the party asking for it.
    public var mediationFee: UInt64

    /// Lilypad's defaults (`PRICING_*`): 1, 2, 2, 1.
    public static let defaults = DealPricing(instructionPrice: 1, paymentCollateral: 2, resultsCollateralMultiple: 2, mediationFee: 1)

    public init(instructionPrice: UInt64 = 0, paymentCollateral: UInt64 = 0, resultsCollateralMultiple: UInt64 = 0, mediationFee: UInt64 = 0) {
        self.instructionPrice = instructionPrice
        self.paymentCollateral = paymentCollateral
        self.resultsCollateralMultiple = resultsCollateralMultiple
        self.mediationFee = mediationFee
    }

    enum CodingKeys: String, CodingKey {
        case instructionPrice = "instruction_price"
        case paymentCollateral = "payment_collateral"
        case resultsCollateralMultiple = "results_collateral_multiple"
        case mediationFee = "mediation_fee"
    }
}

/// How a party prices a deal (Lilypad's `PricingMode`).
public enum PricingMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Take the cheapest matching offer (job creators' default).
    case marketPrice = "MarketPrice"
    /// A fixed price (resource providers must use it).
    case fixedPrice = "FixedPrice"

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mode = PricingMode(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown pricing mode \"\(text)\": use MarketPrice or FixedPrice"))
        }
        self = mode
    }
}
