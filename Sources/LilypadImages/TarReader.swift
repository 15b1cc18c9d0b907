import Foundation

/// Reads a tar stream member by member without buffering contents: ustar, GNU (long names and
/// links, base-256 numbers) and PAX (`path`, `linkpath`, `size`, `uid`, `gid`, `mtime`; global
/// headers too).
final class TarReader {
    private let stream: LayerStream
    private let what: String
    private var block = [UInt8](repeating: 0, count: 512)
    private let blockBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 16)
    /// Content bytes of the current member not yet read, then its padding to 512.
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    private var globalAttributes: [String: String] = [:]
    private var ended = false

    /// Reads from `stream`; `what` names it in errors.
    init(stream: LayerStream, what: String) {
        self.stream = stream
        self.what = what
    }

    deinit { blockBuffer.deallocate() }

    /// The next member, or nil at the end of the archive. Skips what was not read of the previous one.
    func next() throws(ImageError) -> TarEntry? {
        guard !ended else { return nil }
        try skip(remaining + padding)
        remaining = 0
        padding = 0
        var longName: String?
        var longLink: String?
        var attributes: [String: String] = [:]
        while true {
            guard try readBlock() else {
                ended = true
                return nil
            }
            if block.allSatisfy({ $0 == 0 }) {
                ended = true
                return nil
            }
            try verifyChecksum()
            let type = block[156]
            var size = try number(at: 124, length: 12)
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                guard size <= 1 << 20 else { throw invalid("an extended header of \(size) bytes is too large") }
                let data = try readAll(size)
                switch type {
                case UInt8(ascii: "L"): longName = Self.cString(data[...])
                case UInt8(ascii: "K"): longLink = Self.cString(data[...])
                case UInt8(ascii: "x"): attributes.merge(try parsePAX(data)) { $1 }
                default: globalAttributes.merge(try parsePAX(data)) { $1 }
                }
                continue
            default:
                break
            }
            let merged = globalAttributes.merging(attributes) { $1 }
            if let text = merged["size"] {
                guard let value = Int64(text), value >= 0 else { throw invalid("bad PAX size `\(text)`") }
                size = value
            }
            var entry = TarEntry(
                path: longName ?? merged["path"] ?? headerName(),
                kind: Self.kind(of: type),
                mode: UInt32(truncatingIfNeeded: try number(at: 100, length: 8) & 0o7777),
                uid: Int(try number(at: 108, length: 8)),
                gid: Int(try number(at: 116, length: 8)),
                size: 0,
                modificationTime: try number(at: 136, length: 12),
                modificationNanoseconds: 0,
                linkTarget: longLink ?? merged["linkpath"] ?? Self.cString(block[157..<257]))
            if let uid = merged["uid"].flatMap({ Int($0) }) { entry.uid = uid }
            if let gid = merged["gid"].flatMap({ Int($0) }) { entry.gid = gid }
            if let mtime = merged["mtime"] { Self.applyPAXTime(mtime, to: &entry) }
            // Only regular files (and unknown types, which are skipped) carry content in the stream.
            switch entry.kind {
            case .regular, .unsupported:
                remaining = size
                padding = (512 - size % 512) % 512
                entry.size = entry.kind == .regular ? size : 0
            default:
                break
            }
            return entry
        }
    }

    /// Streams the current member's content to `body` in chunks.
    func readContent(_ body: (UnsafeRawBufferPointer) throws(ImageError) -> Void) throws(ImageError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while remaining > 0 {
            let wanted = Int(min(Int64(chunk.count), remaining))
            let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<wanted]))
            guard count > 0 else { throw invalid("the archive ends inside a member") }
            remaining -= Int64(count)
            try body(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
    }

    // MARK: - Blocks

    private func invalid(_ reason: String) -> ImageError { .invalidArchive(what: what, reason: reason) }

    /// Reads one 512-byte block; false at a clean end of the stream.
    private func readBlock() throws(ImageError) -> Bool {
        var filled = 0
        while filled < 512 {
            let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: blockBuffer[filled...]))
            if count == 0 {
                if filled == 0 { return false }
                throw invalid("the archive ends inside a header")
            }
            filled += count
        }
        block = Array(blockBuffer)
        return true
    }

    private func readAll(_ size: Int64) throws(ImageError) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(Int(size))
        remaining = size
        try readContent { (bytes) throws(ImageError) in data.append(contentsOf: bytes) }
        try skip((512 - size % 512) % 512)
        return data
    }

    private func skip(_ count: Int64) throws(ImageError) {
        guard count > 0 else { return }
        var left = count
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while left > 0 {
            let read = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<Int(min(Int64(chunk.count), left))]))
            guard read > 0 else { throw invalid("the archive ends inside a member") }
            left -= Int64(read)
        }
    }

    // MARK: - Header fields

    private func verifyChecksum() throws(ImageError) {
        let stored = try number(at: 148, length: 8)
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else { throw invalid("header checksum mismatch (not a tar archive?)") }
    }

    /// An octal field, or GNU base-256 when the top bit of the first byte is set.
    private func number(at offset: Int, length: Int) throws(ImageError) -> Int64 {
        let field = block[offset..<offset + length]
        if let first = field.first, first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x3f)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 8 else { throw invalid("numeric field out of range") }
                value = value << 8 | Int64(byte)
            }
            return first & 0x40 != 0 ? -value : value
        }
        var value: Int64 = 0
        var started = false
        for byte in field {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value < Int64.max >> 3 else { throw invalid("numeric field out of range") }
                value = value << 3 | Int64(byte - UInt8(ascii: "0"))
                started = true
            case 0, UInt8(ascii: " "):
                if started { return value }
            default:
                throw invalid("bad octal number in header")
            }
        }
        return value
    }

    /// `prefix/name` for ustar (POSIX magic only: GNU uses the prefix bytes for other fields).
    private func headerName() -> String {
        let name = Self.cString(block[0..<100])
        let isPOSIX = block[257..<263].elementsEqual(Array("ustar\0".utf8))
        let prefix = isPOSIX ? Self.cString(block[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    private static func kind(of type: UInt8) -> TarEntry.Kind {
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): .regular
        case UInt8(ascii: "1"): .hardLink
        case UInt8(ascii: "2"): .symbolicLink
        case UInt8(ascii: "3"): .characterDevice
        case UInt8(ascii: "4"): .blockDevice
        case UInt8(ascii: "5"): .directory
        case UInt8(ascii: "6"): .fifo
        default: .unsupported(type)
        }
    }

    /// PAX records: `<length> <key>=<value>\n`, the length counting the whole record.
    private func parsePAX(_ data: [UInt8]) throws(ImageError) -> [String: String] {
        var result: [String: String] = [:]
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0, index + length <= data.count,
                data[index + length - 1] == UInt8(ascii: "\n"),
                let equals = data[(space + 1)..<(index + length)].firstIndex(of: UInt8(ascii: "="))
            else { throw invalid("malformed PAX header") }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            result[key] = String(decoding: data[(equals + 1)..<(index + length - 1)], as: UTF8.self)
            index += length
        }
        return result
    }

    private static func applyPAXTime(_ text: String, to entry: inout TarEntry) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let seconds = parts.first.flatMap({ Int64($0) }) else { return }
        entry.modificationTime = seconds
        if parts.count == 2 {
            let digits = String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)
            entry.modificationNanoseconds = Int(digits) ?? 0
        }
    }
}
