/// The dag-pb block codec (IPFS `PBNode`), in its canonical encoding: links first, then data.
public enum DagPB {
    /// A named link to a child block.
    public struct Link: Sendable, Hashable {
        /// The child's CID.
        public var cid: CID
        /// The entry name ("" for file chunks).
        public var name: String
        /// The child's cumulative size: its block plus everything it links to.
        public var totalSize: UInt64

        public init(cid: CID, name: String, totalSize: UInt64) {
            self.cid = cid
            self.name = name
            self.totalSize = totalSize
        }
    }

    /// Encodes a `PBNode`. Links are written in the order given (callers sort directory entries);
    /// `data` is omitted when `nil`.
    public static func encode(links: [Link] = [], data: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        for link in links {
            var body: [UInt8] = []
            Protobuf.appendBytes(field: 1, link.cid.bytes, to: &body)
            Protobuf.appendBytes(field: 2, Array(link.name.utf8), to: &body)
            Protobuf.appendVarint(field: 3, link.totalSize, to: &body)
            Protobuf.appendBytes(field: 2, body, to: &out)
        }
        if let data { Protobuf.appendBytes(field: 1, data, to: &out) }
        return out
    }
}

/// The few protobuf wire-format primitives dag-pb and UnixFS need.
enum Protobuf {
    static func appendVarint(field: UInt64, _ value: UInt64, to out: inout [UInt8]) {
        Varint.append(field << 3, to: &out)
        Varint.append(value, to: &out)
    }

    static func appendBytes(field: UInt64, _ bytes: [UInt8], to out: inout [UInt8]) {
        Varint.append(field << 3 | 2, to: &out)
        Varint.append(UInt64(bytes.count), to: &out)
        out += bytes
    }
}
