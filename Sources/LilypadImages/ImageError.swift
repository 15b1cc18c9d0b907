#if canImport(Glibc)
    import Glibc
#endif

/// Why an image operation failed, worded for the person who asked for it.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDigest(String, reason: String)
    case invalidReference(String, reason: String)
    case invalidDocument(what: String, reason: String)
    /// The registry could not be reached, or the connection broke.
    case network(url: String, reason: String)
    /// The registry answered with a status the client does not expect.
    case registry(url: String, status: Int, message: String)
    /// The registry wants credentials and none were configured.
    case authenticationRequired(registry: String, repository: String)
    /// The credentials (or the token) were refused.
    case authenticationFailed(registry: String, reason: String)
    /// The registry has no such repository, tag or manifest.
    case imageNotFound(String)
    /// Downloaded or imported content does not hash to the digest that names it.
    case digestMismatch(what: String, expected: Digest, actual: Digest)
    /// Downloaded or imported content is not the size its descriptor announces.
    case sizeMismatch(what: String, expected: Int64, actual: Int64)
    /// An index has no manifest for the platform jobs run on.
    case noMatchingPlatform(reference: String, available: [String])
    case unsupportedMediaType(String, what: String)
    case unsupportedCompression(String)
    /// A tar stream (layer or archive) is malformed.
    case invalidArchive(what: String, reason: String)
    /// A layer entry would write outside the root or is otherwise refused.
    case unsafeLayerEntry(path: String, reason: String)
    /// A file system call failed.
    case fileSystem(operation: String, path: String, code: Int32)
    /// The store has nothing for this reference or digest.
    case notInStore(String)
    /// A digest prefix matches several images.
    case ambiguousDigestPrefix(String, matches: [String])
    case tooManyRedirects(url: String)
    /// Building an image from a recipe failed at `step`.
    case buildFailed(step: String, reason: String)

    public var description: String {
        switch self {
        case .invalidDigest(let text, let reason):
            "invalid digest `\(text)`: \(reason)"
        case .invalidReference(let text, let reason):
            "invalid image reference `\(text)`: \(reason)"
        case .invalidDocument(let what, let reason):
            "invalid \(what): \(reason)"
        case .network(let url, let reason):
            "cannot reach \(url): \(reason)"
        case .registry(let url, let status, let message):
            "registry error from \(url): HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
        case .authenticationRequired(let registry, let repository):
            "authentication required to pull \(repository) from \(registry): add credentials for \(registry) to your docker config.json"
        case .authenticationFailed(let registry, let reason):
            "authentication failed at \(registry): \(reason)"
        case .imageNotFound(let reference):
            "image not found: \(reference)"
        case .digestMismatch(let what, let expected, let actual):
            "digest mismatch for \(what): expected \(expected), got \(actual)"
        case .sizeMismatch(let what, let expected, let actual):
            "size mismatch for \(what): expected \(expected) bytes, got \(actual)\(actual > expected ? " or more" : "")"
        case .noMatchingPlatform(let reference, let available):
            "\(reference) has no linux/amd64 image (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .unsupportedMediaType(let type, let what):
            "unsupported media type `\(type)` for \(what)"
        case .unsupportedCompression(let name):
            "\(name) layers are not supported yet"
        case .invalidArchive(let what, let reason):
            "invalid \(what): \(reason)"
        case .unsafeLayerEntry(let path, let reason):
            "refused layer entry `\(path)`: \(reason)"
        case .fileSystem(let operation, let path, let code):
            "\(operation) \(path): \(String(cString: strerror(code)))"
        case .notInStore(let text):
            "no image `\(text)` in the image store"
        case .ambiguousDigestPrefix(let prefix, let matches):
            "`\(prefix)` matches several images: \(matches.joined(separator: ", "))"
        case .tooManyRedirects(let url):
            "too many redirects fetching \(url)"
        case .buildFailed(let step, let reason):
            "cannot build the image: \(step) failed: \(reason)"
        }
    }
}
