/// An image reference, `[registry/]repository[:tag][@digest]`, normalized the way Docker does:
/// no registry means Docker Hub, and Docker Hub names of one component get `library/`.
public struct ImageReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The host (and port) to talk to, e.g. `registry-1.docker.io` or `127.0.0.1:5000`.
    public var registry: String
    /// The repository path, e.g. `library/busybox`.
    public var repository: String
    /// The tag; `latest` when the reference names neither tag nor digest.
    public var tag: String?
    /// The pinned manifest digest, if any.
    public var digest: Digest?

    /// Docker Hub's registry API host.
    public static let dockerHubRegistry = "registry-1.docker.io"
    /// The names that mean Docker Hub.
    static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]

    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference as `docker pull` accepts it.
    public init(parsing text: String) throws(ImageError) {
        func fail(_ reason: String) -> ImageError { .invalidReference(text, reason: reason) }
        guard !text.isEmpty else { throw fail("the reference is empty") }
        guard !text.contains(where: { $0.isWhitespace }) else { throw fail("it contains white space") }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let candidate = String(rest[rest.index(after: colon)...])
            guard Self.isValidTag(candidate) else {
                throw fail("invalid tag `\(candidate)` (letters, digits, `_`, `.` and `-`, at most 128, not starting with `.` or `-`)")
            }
            tag = candidate
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            guard Self.isValidRegistry(first) else { throw fail("invalid registry host `\(first)`") }
            registry = Self.dockerHubAliases.contains(first) ? Self.dockerHubRegistry : first
            components.removeFirst()
        } else {
            registry = Self.dockerHubRegistry
        }
        guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
            throw fail("the repository name is empty or has an empty path component")
        }
        for component in components where !Self.isValidPathComponent(component) {
            if component.contains(where: { $0.isUppercase }) { throw fail("repository names must be lowercase") }
            throw fail("invalid repository name component `\(component)`")
        }
        if registry == Self.dockerHubRegistry && components.count == 1 { components.insert("library", at: 0) }
        repository = components.joined(separator: "/")
        guard repository.utf8.count <= 255 else { throw fail("the repository name is longer than 255 characters") }
        if tag == nil && digest == nil { tag = "latest" }
    }

    /// Whether this is Docker Hub.
    public var isDockerHub: Bool { registry == Self.dockerHubRegistry }

    /// The repository as people write it: `docker.io/library/busybox`, `127.0.0.1:5000/tiny/job`.
    public var name: String { "\(isDockerHub ? "docker.io" : registry)/\(repository)" }

    /// The normalized reference, e.g. `docker.io/library/busybox:latest` or `host/repo@sha256:…`.
    public var description: String {
        var text = name
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// What to ask the registry for: the digest if pinned, else the tag.
    var manifestReference: String { digest?.description ?? tag ?? "latest" }

    static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard (1...128).contains(bytes.count), let first = bytes.first, isWordByte(first) else { return false }
        return bytes.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (65...90).contains(byte) || byte == UInt8(ascii: "_")
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isValidPathComponent(_ component: String) -> Bool {
        let bytes = Array(component.utf8)
        var index = 0
        func alphanumericRun() -> Bool {
            let start = index
            while index < bytes.count, isLowerAlphanumeric(bytes[index]) { index += 1 }
            return index > start
        }
        guard alphanumericRun() else { return false }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."):
                index += 1
            case UInt8(ascii: "_"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
            case UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            default:
                return false
            }
            guard alphanumericRun() else { return false }
        }
        return true
    }

    /// `host[:port]`, where host is a DNS name, an IPv4 address or `[IPv6]`.
    static func isValidRegistry(_ text: String) -> Bool {
        var host = Substring(text)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inside = host[host.index(after: host.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            host = host[host.index(after: close)...]
            if host.isEmpty { return true }
            guard host.hasPrefix(":") else { return false }
            return isValidPort(host.dropFirst())
        }
        if let colon = host.firstIndex(of: ":") {
            guard isValidPort(host[host.index(after: colon)...]) else { return false }
            host = host[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty
            && labels.allSatisfy { label in
                !label.isEmpty && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }

    private static func isValidPort(_ text: Substring) -> Bool {
        guard let port = Int(text), (1...65535).contains(port), text.allSatisfy(\.isNumber) else { return false }
        return true
    }
}
