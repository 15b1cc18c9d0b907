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
