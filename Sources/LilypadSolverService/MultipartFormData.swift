import Foundation
import LilypadCrypto

/// A `multipart/form-data` body (RFC 7578) of named parts, as `POST /api/v1/job_offers/with_files`
/// carries a job offer (`job_offer.json`) and the tar of its inputs folder (`inputs.tar`).
///
/// Parts are held in memory: the solver caps the whole body before parsing it.
public struct MultipartFormData: Sendable, Hashable {
    /// One part: its form field name, its file name if any, and its bytes.
    public struct Part: Sendable, Hashable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]

        public init(name: String, filename: String? = nil, contentType: String? = nil, body: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.body = body
        }
    }

    /// Why a body is not a well-formed `multipart/form-data` body.
    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public var parts: [Part]
    /// The delimiter between parts (without the leading `--`).
    public var boundary: String

    public init(parts: [Part], boundary: String = "lilypad-" + Hex.encode(SecureRandom.bytes(count: 16))) {
        self.parts = parts
        self.boundary = boundary
    }

    /// The `Content-Type` header value announcing this body.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The first part whose field name or file name is one of `names`.
    public func part(named names: String...) -> Part? {
        parts.first { part in names.contains(part.name) || part.filename.map(names.contains) == true }
    }

    /// The body bytes.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let filename = part.filename { head += "; filename=\"\(Self.quoted(filename))\"" }
            head += "\r\nContent-Type: \(part.contentType ?? "application/octet-stream")\r\n\r\n"
            body += Array(head.utf8)
            body += part.body
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }

    /// Parses `body` sent with the header `Content-Type: contentType`.
    public init(parsing body: [UInt8], contentType: String) throws(Malformed) {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw Malformed("the Content-Type is \"\(contentType)\", not multipart/form-data")
        }
        guard let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw Malformed("the Content-Type has no boundary parameter")
        }
        self.boundary = boundary
        let delimiter = Array("--\(boundary)".utf8)
        guard var start = Self.find(delimiter, in: body, from: 0) else { throw Malformed("no part starts with the boundary \"\(boundary)\"") }
        var parts: [Part] = []
        while true {
            var cursor = start + delimiter.count
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { break }  // the closing delimiter
            guard let lineEnd = Self.find([13, 10], in: body, from: cursor) else { throw Malformed("a boundary line does not end") }
            cursor = lineEnd + 2
            guard let headEnd = Self.find([13, 10, 13, 10], in: body, from: cursor) else { throw Malformed("a part's headers do not end") }
            let head = String(decoding: body[cursor..<headEnd], as: UTF8.self)
            guard let next = Self.find([13, 10] + delimiter, in: body, from: headEnd + 4) else {
                throw Malformed("a part is not closed by the boundary (the body is cut short)")
            }
            var name: String?
            var filename: String?
            var type: String?
            for line in head.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if field == "content-disposition" {
                    name = Self.parameter("name", in: value)
                    filename = Self.parameter("filename", in: value)
                } else if field == "content-type" {
                    type = value
                }
            }
            guard let name else { throw Malformed("a part has no Content-Disposition name") }
            parts.append(Part(name: name, filename: filename, contentType: type, body: Array(body[(headEnd + 4)..<next])))
            start = next + 2
        }
        self.parts = parts
    }

    /// The value of `name=value` or `name="value"` in a header value's `;`-separated parameters.
    static func parameter(_ name: String, in value: String) -> String? {
        for item in value.split(separator: ";").dropFirst() {
            let pair = item.trimmingCharacters(in: .whitespaces)
            guard let equals = pair.firstIndex(of: "="), pair[..<equals].lowercased() == name else { continue }
            var text = String(pair[pair.index(after: equals)...])
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return text
        }
        return nil
    }

    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// The index where `needle` first occurs in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
