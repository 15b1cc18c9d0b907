/// Writes POSIX ustar archives byte-for-byte reproducibly: the caller's entry order, owner 0:0,
/// fixed modification times and no user or group names, so the same entries always give the
/// same digest.
public struct TarWriter: Sendable {
    /// What an entry is.
    public enum Kind: Sendable, Hashable {
        case directory
        case file([UInt8])
        case symlink(target: String)
    }

    /// The archive so far (call ``finish()`` for the complete archive).
    public private(set) var bytes: [UInt8] = []
    /// The modification time written on every entry, in seconds since 1970.
    public var modificationTime: Int

    public init(modificationTime: Int = 0) {
        self.modificationTime = modificationTime
    }

    /// Appends an entry. `path` is relative to the root (no leading `/`); directories get a trailing `/`.
    public mutating func append(path: String, kind: Kind, mode: Int) throws(ImageError) {
        var name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if case .directory = kind, !name.hasSuffix("/") { name += "/" }
        guard !name.isEmpty, !name.split(separator: "/").contains("..") else {
            throw .invalidDocument(what: "archive entry `\(path)`", reason: "paths must be relative and must not contain `..`")
        }
        var header = [UInt8](repeating: 0, count: 512)
        let (prefix, suffix) = try Self.split(name)
        Self.put(suffix, at: 0, width: 100, into: &header)
        Self.putOctal(mode & 0o7777, at: 100, width: 8, into: &header)
        Self.putOctal(0, at: 108, width: 8, into: &header)
        Self.putOctal(0, at: 116, width: 8, into: &header)
        var contents: [UInt8] = []
        switch kind {
        case .directory:
            header[156] = UInt8(ascii: "5")
        case .file(let data):
            header[156] = UInt8(ascii: "0")
            contents = data
        case .symlink(let target):
            header[156] = UInt8(ascii: "2")
            guard target.utf8.count <= 100 else {
                throw .invalidDocument(what: "symlink `\(path)`", reason: "targets longer than 100 bytes are not supported")
            }
            Self.put(target, at: 157, width: 100, into: &header)
        }
        Self.putOctal(contents.count, at: 124, width: 12, into: &header)
        Self.putOctal(modificationTime, at: 136, width: 12, into: &header)
        Self.put("ustar", at: 257, width: 6, into: &header)
        Self.put("00", at: 263, width: 2, into: &header)
        Self.put(prefix, at: 345, width: 155, into: &header)
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let checksum = header.reduce(0) { $0 + Int($1) }
        Self.putOctal(checksum, at: 148, width: 7, into: &header)
        header[155] = UInt8(ascii: " ")
        bytes += header
        bytes += contents
        let padding = (512 - contents.count % 512) % 512
        bytes += [UInt8](repeating: 0, count: padding)
    }

    /// The archive with its two end-of-archive blocks.
    public func finish() -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: 1024)
    }

    /// Splits a name into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a `/`.
    private static func split(_ name: String) throws(ImageError) -> (String, String) {
        let utf8 = Array(name.utf8)
        if utf8.count <= 100 { return ("", name) }
        for index in stride(from: min(utf8.count - 1, 155), to: 0, by: -1) where utf8[index] == UInt8(ascii: "/") {
            if utf8.count - index - 1 <= 100 {
                return (String(decoding: utf8[..<index], as: UTF8.self), String(decoding: utf8[(index + 1)...], as: UTF8.self))
            }
        }
        throw .invalidDocument(what: "archive entry `\(name)`", reason: "the path is too long for a ustar archive")
    }

    private static func put(_ text: String, at offset: Int, width: Int, into header: inout [UInt8]) {
        for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
    }

    private static func putOctal(_ value: Int, at offset: Int, width: Int, into header: inout [UInt8]) {
        let digits = String(value, radix: 8)
        let padded = String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        put(padded, at: offset, width: width - 1, into: &header)
    }
}
