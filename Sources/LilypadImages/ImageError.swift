/// Why an image operation failed, worded for the person who asked for it.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDigest(String, reason: String)
    case invalidReference(String, reason: String)
    case invalidDocument(what: String, reason: String)
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
        case .buildFailed(let step, let reason):
            "cannot build the image: \(step) failed: \(reason)"
        }
    }
}
