import Foundation
import LilypadCore

/// Builds tar archives in memory for tests: ustar headers, PAX and GNU long-name records, any type flag.
public struct TarBuilder {
    public init() {}

    public private(set) var bytes: [UInt8] = []

    public mutating func file(_ name: String, _ contents: String, mode: Int = 0o644, uid: Int = 0, gid: Int = 0, mtime: Int = 1_700_000_000) {
        entry(name, type: "0", contents: Array(contents.utf8), mode: mode, uid: uid, gid: gid, mtime: mtime)
    }

    public mutating func directory(_ name: String, mode: Int = 0o755, mtime: Int = 1_700_000_000) {
        entry(name, type: "5", mode: mode, mtime: mtime)
    }

    public mutating func symlink(_ name: String, to target: String) { entry(name, type: "2", mode: 0o777, link: target) }
    public mutating func hardlink(_ name: String, to target: String) { entry(name, type: "1", link: target) }
    public mutating func device(_ name: String, block: Bool) { entry(name, type: block ? "4" : "3", mode: 0o666) }
    public mutating func fifo(_ name: String) { entry(name, type: "6", mode: 0o640) }

    /// A PAX extended header applying to the next entry.
    public mutating func pax(_ records: [String: String]) {
        var body: [UInt8] = []
        for (key, value) in records.sorted(by: { $0.key < $1.key }) {
            let payload = " \(key)=\(value)\n"
            var length = payload.utf8.count + 1
            while "\(length)".utf8.count + payload.utf8.count != length { length += 1 }
            body += Array("\(length)\(payload)".utf8)
        }
        entry("././@PaxHeader", type: "x", contents: body)
    }

    /// A GNU long-name record (`L`) applying to the next entry.
    public mutating func gnuLongName(_ name: String) { entry("././@LongLink", type: "L", contents: Array(name.utf8) + [0], gnu: true) }
    public mutating func gnuLongLink(_ target: String) { entry("././@LongLink", type: "K", contents: Array(target.utf8) + [0], gnu: true) }

    public mutating func entry(
        _ name: String, type: Character, contents: [UInt8] = [], mode: Int = 0o644, uid: Int = 0, gid: Int = 0, mtime: Int = 1_700_000_000,
        link: String = "", prefix: String = "", gnu: Bool = false
    ) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            put(String(String(value, radix: 8).suffix(length - 1)).leftPadded(to: length - 1), at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(mode, at: 100, length: 8)
        octal(uid, at: 108, length: 8)
        octal(gid, at: 116, length: 8)
        octal(contents.count, at: 124, length: 12)
        octal(mtime, at: 136, length: 12)
        header[156] = type.asciiValue ?? 0x30
        put(link, at: 157, length: 100)
        if gnu {
            put("ustar  ", at: 257, length: 8)
        } else {
            put("ustar", at: 257, length: 6)
            put("00", at: 263, length: 2)
            put(prefix, at: 345, length: 155)
        }
        put("        ", at: 148, length: 8)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(String(String(sum, radix: 8)).leftPadded(to: 6) + "\0 ", at: 148, length: 8)
        bytes += header + contents
        bytes += [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
    }

    /// The archive with its end-of-archive blocks.
    public var archive: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    /// Writes the archive to `url`, gzip-compressed with the `gzip` tool when asked.
    public func write(to url: URL, gzip: Bool = false) throws {
        try Data(archive).write(to: url)
        if gzip {
            _ = try ExternalCommand("gzip", ["-n", "-f", url.path]).run()
            try FileManager.default.moveItem(atPath: url.path + ".gz", toPath: url.path)
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
