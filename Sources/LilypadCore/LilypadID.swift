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
    /// The deal's ID, assembled from its offers' Go JSON (as kept from ``ContentAddressed/identified()``)
    /// instead of encoding them again. Equal to ``ContentAddressed/computeID()`` for the same deal.
    public static func computeID(members: DealMembers, pricing: DealPricing, jobOfferJSON: [UInt8], resourceOfferJSON: [UInt8]) throws -> String {
        id(members: members, pricing: pricing, jobOfferJSON: jobOfferJSON, resourceOfferJSON: resourceOfferJSON)
    }

    /// ``computeID(members:pricing:jobOfferJSON:resourceOfferJSON:)``, which cannot fail: the deal's
    /// dag-pb block is written into one buffer, sized up front, and hashed in one call.
    static func id(members: DealMembers, pricing: DealPricing, jobOfferJSON: [UInt8], resourceOfferJSON: [UInt8]) -> String {
        // The block is `0x0A varint(length) JSON`; the header goes in front once the length is known.
        let headerRoom = 11
        var block: [UInt8] = []
        block.reserveCapacity(headerRoom + 512 + jobOfferJSON.count + resourceOfferJSON.count)
        block.append(contentsOf: repeatElement(0, count: headerRoom))
        // Members and pricing are written directly (the layout of their Codable encoding, fixed by
        // Go's field order), which makes a deal ID several times cheaper than through Codable.
        block.append(contentsOf: #"{"id":"","members":{"solver":"#.utf8)
        GoJSONWriter.appendString(members.solver, to: &block)
        block.append(contentsOf: #","job_creator":"#.utf8)
        GoJSONWriter.appendString(members.jobCreator, to: &block)
        block.append(contentsOf: #","resource_provider":"#.utf8)
        GoJSONWriter.appendString(members.resourceProvider, to: &block)
        block.append(contentsOf: #","mediators":"#.utf8)
        if let mediators = members.mediators {
            block.append(UInt8(ascii: "["))
            for (index, mediator) in mediators.enumerated() {
                if index > 0 { block.append(UInt8(ascii: ",")) }
                GoJSONWriter.appendString(mediator, to: &block)
            }
            block.append(UInt8(ascii: "]"))
        } else {
            block.append(contentsOf: "null".utf8)
        }
        block.append(contentsOf: #"},"pricing":{"instruction_price":"#.utf8)
        GoJSONWriter.appendInteger(pricing.instructionPrice, to: &block)
        block.append(contentsOf: #","payment_collateral":"#.utf8)
        GoJSONWriter.appendInteger(pricing.paymentCollateral, to: &block)
        block.append(contentsOf: #","results_collateral_multiple":"#.utf8)
        GoJSONWriter.appendInteger(pricing.resultsCollateralMultiple, to: &block)
        block.append(contentsOf: #","mediation_fee":"#.utf8)
        GoJSONWriter.appendInteger(pricing.mediationFee, to: &block)
        block.append(contentsOf: #"},"job_offer":"#.utf8)
        block.append(contentsOf: jobOfferJSON)
        block.append(contentsOf: #","resource_offer":"#.utf8)
        block.append(contentsOf: resourceOfferJSON)
        block.append(UInt8(ascii: "}"))
        // The header: field 1 (Data), length-delimited, right before the JSON.
        let length = block.count - headerRoom
        var lengthBytes = 1
        while length >> (7 * lengthBytes) > 0 { lengthBytes += 1 }
        let start = headerRoom - 1 - lengthBytes
        block[start] = 0x0A
        for index in 0..<lengthBytes {
            block[start + 1 + index] = UInt8(truncatingIfNeeded: length >> (7 * index)) & 0x7F | (index < lengthBytes - 1 ? 0x80 : 0)
        }
        return block.withUnsafeBytes { CID.v0Text(ofDagPBBlock: UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }
}
