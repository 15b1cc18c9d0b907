import Testing

@testable import LilypadCore

@Suite("Deal IDs written directly")
struct DealIDFastPathTests {
    /// The directly written members and pricing equal their Codable encoding, `nil` mediators and
    /// hostile strings included.
    @Test(arguments: [nil, [], ["m"], ["<a>", "\u{2028}\"\\", "é\u{1}"]] as [[String]?])
    func directWritingEqualsCodable(mediators: [String]?) throws {
        let (job, jobJSON) = try Offers.job("j", mediators: mediators ?? ["x"]).identified()
        let (resource, resourceJSON) = try Offers.resource("r", provider: "0x<&>", price: .max).identified()
        let members = DealMembers(solver: "s\n", jobCreator: job.jobCreator, resourceProvider: resource.resourceProvider, mediators: mediators)
        let pricing = DealPricing(instructionPrice: .max, paymentCollateral: 0, resultsCollateralMultiple: 7, mediationFee: 12_345)
        let deal = Deal(members: members, pricing: pricing, jobOffer: job, resourceOffer: resource)
        let direct = try Deal.computeID(members: members, pricing: pricing, jobOfferJSON: jobJSON, resourceOfferJSON: resourceJSON)
        #expect(direct == (try deal.computeID()))
    }
}
