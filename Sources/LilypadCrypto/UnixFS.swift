/// UnixFS v1 nodes and the layout kubo's `ipfs add` uses by default (CIDv0, 256 KiB fixed-size
/// chunks, dag-pb leaves, balanced trees of at most 174 links), so that a result's ID equals what
/// `ipfs add -r --only-hash` prints for the same files.
public enum UnixFS {
    /// The UnixFS `Data.DataType` values used here.
    public enum NodeType: UInt64, Sendable {
        case directory = 1
        case file = 2
        case symlink = 4
    }

    /// kubo's default chunk size (`size-262144`).
    public static let chunkSize = 256 * 1024
    /// kubo's default maximum number of links per file node (`helpers.DefaultLinksPerBlock`).
    public static let maxLinksPerNode = 174

    /// A block built by the importer, with what its parent needs to link to it.
    public struct Node: Sendable, Hashable {
        /// The block's CIDv0.
        public var cid: CID
        /// The encoded block size plus the cumulative sizes of everything it links to (the link `Tsize`).
        public var cumulativeSize: UInt64
        /// The number of file bytes below this node (0 for directories and symlinks).
        public var fileSize: UInt64

        /// A link to this node under `name`.
        public func link(named name: String) -> DagPB.Link {
            DagPB.Link(cid: cid, name: name, totalSize: cumulativeSize)
        }
    }

    /// Encodes a UnixFS `Data` message.
    static func data(type: NodeType, content: [UInt8] = [], fileSize: UInt64? = nil, blockSizes: [UInt64] = []) -> [UInt8] {
        var out: [UInt8] = []
        Protobuf.appendVarint(field: 1, type.rawValue, to: &out)
        if !content.isEmpty { Protobuf.appendBytes(field: 2, content, to: &out) }
        if let fileSize { Protobuf.appendVarint(field: 3, fileSize, to: &out) }
        // `repeated uint64 blocksizes = 4` is proto2 and not packed: one tag per value.
        for size in blockSizes { Protobuf.appendVarint(field: 4, size, to: &out) }
        return out
    }

    static func node(block: [UInt8], links: [DagPB.Link], fileSize: UInt64) -> Node {
        Node(
            cid: .dagPB(block: block),
            cumulativeSize: UInt64(block.count) + links.reduce(0) { $0 + $1.totalSize },
            fileSize: fileSize
        )
    }

    /// The node of one file leaf holding `chunk`.
    static func leaf(_ chunk: [UInt8]) -> Node {
        let block = DagPB.encode(data: data(type: .file, content: chunk, fileSize: UInt64(chunk.count)))
        return node(block: block, links: [], fileSize: UInt64(chunk.count))
    }

    /// The node of a file made of `children` (leaves or other file nodes).
    static func fileNode(children: [Node]) -> Node {
        let links = children.map { $0.link(named: "") }
        let total = children.reduce(0) { $0 + $1.fileSize }
        let block = DagPB.encode(links: links, data: data(type: .file, fileSize: total, blockSizes: children.map(\.fileSize)))
        return node(block: block, links: links, fileSize: total)
    }

    /// The node of a directory; entries are sorted by the bytes of their names.
    public static func directory(entries: [(name: String, node: Node)]) -> Node {
        let sorted = entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        let links = sorted.map { $0.node.link(named: $0.name) }
        let block = DagPB.encode(links: links, data: data(type: .directory))
        return node(block: block, links: links, fileSize: 0)
    }

    /// The node of a symbolic link to `target`.
    public static func symlink(target: String) -> Node {
        let block = DagPB.encode(data: data(type: .symlink, content: Array(target.utf8)))
        return node(block: block, links: [], fileSize: 0)
    }

    /// Builds the file DAG incrementally from bytes as they arrive, in kubo's balanced layout.
    ///
    /// ```swift
    /// var builder = UnixFS.FileBuilder()
    /// builder.append(someBytes)
    /// let root = builder.finish()    // root.cid == `ipfs add --only-hash` of those bytes
    /// ```
    public struct FileBuilder: Sendable {
        private var pending: [UInt8] = []
        private var leaves: [Node] = []

        public init() {}

        /// Adds file content.
        public mutating func append(_ bytes: some Collection<UInt8>) {
            pending.append(contentsOf: bytes)
            var start = 0
            while pending.count - start >= UnixFS.chunkSize {
                leaves.append(UnixFS.leaf(Array(pending[start..<start + UnixFS.chunkSize])))
                start += UnixFS.chunkSize
            }
            if start > 0 { pending.removeFirst(start) }
        }

        /// Completes the file and returns its root node.
        public consuming func finish() -> Node {
            if !pending.isEmpty || leaves.isEmpty { leaves.append(UnixFS.leaf(pending)) }
            // A single chunk is its own root. Otherwise the balanced layout is equivalent to grouping
            // each level into runs of `maxLinksPerNode` until one node is left: every node but the
            // rightmost at each depth is full.
            var level = leaves
            if level.count == 1 { return level[0] }
            repeat {
                level = stride(from: 0, to: level.count, by: UnixFS.maxLinksPerNode).map {
                    UnixFS.fileNode(children: Array(level[$0..<min($0 + UnixFS.maxLinksPerNode, level.count)]))
                }
            } while level.count > 1
            return level[0]
        }
    }
}
