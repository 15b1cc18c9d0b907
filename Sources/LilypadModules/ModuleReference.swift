import Foundation

/// What a user names when they run a module.
///
/// ```
/// cowsay:v0.0.4                                        short name, resolved through the network's module registry
/// github.com/DevlinRocha/lilypad-module-sentiment:main host/owner/repo
/// https://git.example.com/team/module.git:9f2c…        any git URL (https, ssh, file)
/// ./my-module   /abs/path/my-module                    a local folder, used as it is (for module authors)
/// ```
///
/// The part after the last `:` is a tag, branch or commit.
public enum ModuleReference: Sendable, Hashable, CustomStringConvertible {
    /// A short name resolved by the registry (`cowsay` in `cowsay:v0.0.4`).
    case named(name: String, ref: String)
    /// A git repository URL and a ref.
    case repository(url: String, ref: String)
    /// A folder on this machine, read as it is (uncommitted changes included).
    case localDirectory(path: String)

    /// Parses a reference, explaining precisely what is wrong with a malformed one.
    public init(parsing text: String) throws(ModuleError) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .malformedReference(text, reason: "it is empty") }
        if text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("../") || text == "." || text.hasPrefix("~/") {
            self = .localDirectory(path: text)
            return
        }
        if let schemeEnd = text.range(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            guard let colon = rest.lastIndex(of: ":"), !rest[rest.index(after: colon)...].contains("/") else {
                throw .malformedReference(text, reason: "a git URL needs a version after a colon: \(text):<tag, branch or commit>")
            }
            let ref = String(rest[rest.index(after: colon)...])
            let url = String(text[..<colon])
            guard !ref.isEmpty, url.count > schemeEnd.upperBound.utf16Offset(in: text) else {
                throw .malformedReference(text, reason: "the version after the last colon is empty")
            }
            self = .repository(url: url, ref: ref)
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            if parts.count == 1 {
                throw .malformedReference(text, reason: "it needs a version: write \(text):<tag, branch or commit>, e.g. cowsay:v0.0.4")
            }
            throw .malformedReference(text, reason: "it has \(parts.count - 1) colons; write name:ref or host/owner/repo:ref with exactly one")
        }
        let name = String(parts[0]), ref = String(parts[1])
        guard !name.isEmpty else { throw .malformedReference(text, reason: "the module name before the colon is empty") }
        guard !ref.isEmpty else {
            throw .malformedReference(text, reason: "the version after the colon is empty: write \(name):<tag, branch or commit>")
        }
        guard ref.allSatisfy({ $0.isASCII && !$0.isWhitespace }), !ref.hasPrefix("-") else {
            throw .malformedReference(text, reason: "\"\(ref)\" is not a valid tag, branch or commit")
        }
        if name.contains("/") {
            let segments = name.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 3, segments.allSatisfy({ !$0.isEmpty }) else {
                throw .malformedReference(
                    text, reason: "a repository is host/owner/repo, e.g. github.com/DevlinRocha/lilypad-module-sentiment:main")
            }
            self = .repository(url: "https://" + name, ref: ref)
            return
        }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw .malformedReference(text, reason: "a module name has only letters, digits, '-', '_' and '.'")
        }
        self = .named(name: name, ref: ref)
    }

    public var description: String {
        switch self {
        case .named(let name, let ref): "\(name):\(ref)"
        case .repository(let url, let ref): "\(url):\(ref)"
        case .localDirectory(let path): path
        }
    }
}
