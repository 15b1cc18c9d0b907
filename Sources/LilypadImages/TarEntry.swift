/// One member of a tar stream, with PAX and GNU long names already applied.
struct TarEntry: Sendable, Hashable {
    /// The type flag's meaning.
    enum Kind: Sendable, Hashable {
        case regular, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
        /// A type this reader does not apply (GNU sparse files, volume headers, …): skipped.
        case unsupported(UInt8)
    }

    /// The member name as written (cleaning happens in the unpacker).
    var path: String
    var kind: Kind
    /// Permission bits including setuid, setgid and sticky (`0o7777`).
    var mode: UInt32
    var uid: Int
    var gid: Int
    /// Bytes of content (regular files only; 0 for other kinds).
    var size: Int64
    /// Seconds since the epoch.
    var modificationTime: Int64
    /// Nanoseconds past `modificationTime` (from a PAX `mtime`).
    var modificationNanoseconds: Int
    /// The symlink or hardlink target.
    var linkTarget: String
}
