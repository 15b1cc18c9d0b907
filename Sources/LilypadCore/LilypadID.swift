import LilypadCrypto

/// Lilypad v2's content IDs: `CIDv0(dag-pb node whose Data is the Go JSON of the value)`.
///
/// For job offers, resource offers and deals the `id` field is blanked first, so the ID covers
/// everything else. The dag-pb node here is a bare `PBNode` with `Data` = the JSON bytes (not a
/// UnixFS file), exactly as `merkledag.NodeWithData` builds it.
public enum LilypadID {
    /// The ID of `value` as it is (used for `ModuleConfig`).
    public static func compute(_ value: some Encodable) throws -> String {
        CID.dagPB(block: DagPB.encode(data: try GoJSONEncoder().encode(value))).description
    }
}

/// A value whose `id` is the Lilypad ID of its other fields.
public protocol ContentAddressed: Encodable {
    var id: String { get set }
}

extension ContentAddressed {
    /// The ID Lilypad's solver computes for this value (with `id` blanked).
    public func computeID() throws -> String {
        var copy = self
        copy.id = ""
        return try LilypadID.compute(copy)
    }

    /// A copy with ``id`` set to ``computeID()``.
    public func withComputedID() throws -> Self {
        var copy = self
        copy.id = try computeID()
        return copy
    }
}

extension ContentAddressed {
    /// The value with its ID set, and its Go JSON *with* that ID, from a single encoding.
    ///
    /// `id` is the first field of every content-addressed type, and an ID (base58) needs no
    /// escaping, so the JSON with the ID is the blank-ID JSON with the ID spliced in. The solver
    /// keeps this JSON to build deal IDs without encoding the offers again.
    public func identified() throws -> (value: Self, json: [UInt8]) {
        var copy = self
        copy.id = ""
        let blank = try GoJSONEncoder().encode(copy)
        let id = CID.dagPB(block: DagPB.encode(data: blank)).description
        copy.id = id
        let prefix = Array(#"{"id":""#.utf8)
        guard blank.starts(with: prefix + [UInt8(ascii: "\"")]) else { return (copy, try GoJSONEncoder().encode(copy)) }
        return (copy, prefix + Array(id.utf8) + blank[prefix.count...])
    }
}

extension Deal {
    private static let resourceOfferKey = Array(#","resource_offer":"#.utf8)
    private static let closingBrace: [UInt8] = [UInt8(ascii: "}")]

    /// The deal's ID, assembled from its offers' Go JSON (as kept from ``ContentAddressed/identified()``)
    /// instead of encoding them again. Equal to ``ContentAddressed/computeID()`` for the same deal.
    public static func computeID(members: DealMembers, pricing: DealPricing, jobOfferJSON: [UInt8], resourceOfferJSON: [UInt8]) throws -> String {
        // Members and pricing are written directly (the layout of their Codable encoding, fixed by
        // Go's field order), which makes a deal ID several times cheaper than through Codable.
        let writer = GoJSONWriter()
        writer.writeLiteral(#"{"id":"","members":{"solver":"#)
        writer.writeString(members.solver)
        writer.writeLiteral(#","job_creator":"#)
        writer.writeString(members.jobCreator)
        writer.writeLiteral(#","resource_provider":"#)
        writer.writeString(members.resourceProvider)
        writer.writeLiteral(#","mediators":"#)
        if let mediators = members.mediators {
            writer.bytes.append(UInt8(ascii: "["))
            for (index, mediator) in mediators.enumerated() {
                if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                writer.writeString(mediator)
            }
            writer.bytes.append(UInt8(ascii: "]"))
        } else {
            writer.writeLiteral("null")
        }
        writer.writeLiteral(#"},"pricing":{"instruction_price":"#)
        writer.writeInteger(pricing.instructionPrice)
        writer.writeLiteral(#","payment_collateral":"#)
        writer.writeInteger(pricing.paymentCollateral)
        writer.writeLiteral(#","results_collateral_multiple":"#)
        writer.writeInteger(pricing.resultsCollateralMultiple)
        writer.writeLiteral(#","mediation_fee":"#)
        writer.writeInteger(pricing.mediationFee)
        writer.writeLiteral(#"},"job_offer":"#)
        // The offers' JSON is hashed where it is, not copied into one buffer.
        return CID.dagPB(dataParts: [writer.bytes, jobOfferJSON, Self.resourceOfferKey, resourceOfferJSON, Self.closingBrace]).description
    }
}
