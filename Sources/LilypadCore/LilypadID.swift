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
        let encoder = GoJSONEncoder()
        var json = Array(#"{"id":"","members":"#.utf8)
        json += try encoder.encode(members)
        json += Array(#","pricing":"#.utf8)
        json += try encoder.encode(pricing)
        json += Array(#","job_offer":"#.utf8)
        json += jobOfferJSON
        json += Array(#","resource_offer":"#.utf8)
        json += resourceOfferJSON
        json.append(UInt8(ascii: "}"))
        return CID.dagPB(block: DagPB.encode(data: json)).description
    }
}
