/// Errors from resolving, fetching, rendering and validating modules. Each says what was wrong
/// and how to fix it.
public enum ModuleError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedReference(String, reason: String)
    case unknownModule(String, registry: String)
    case repositoryNotFound(url: String, detail: String)
    case authenticationRequired(url: String)
    case refNotFound(url: String, ref: String)
    case networkUnavailable(url: String, attempts: Int, detail: String)
    case gitFailed(command: String, detail: String)
    case templateMissing(location: String, path: String)
    case notAModuleDirectory(String, reason: String)
    case malformedInput(String)
    case render(String)
    case invalidSpec(field: String, problem: String)
    case lockTimeout(path: String)

    public var description: String {
        switch self {
        case .malformedReference(let text, let reason):
            "invalid module reference \"\(text)\": \(reason)"
        case .unknownModule(let name, let registry):
            "unknown module \"\(name)\": \(registry) has no module by that name; check the spelling or give host/owner/repo:ref"
        case .repositoryNotFound(let url, let detail):
            "module repository \(url) was not found (\(detail)); check the URL and that the repository is public"
        case .authenticationRequired(let url):
            "module repository \(url) asks for credentials; modules must be in public repositories"
        case .refNotFound(let url, let ref):
            "module repository \(url) has no tag, branch or commit \"\(ref)\""
        case .networkUnavailable(let url, let attempts, let detail):
            "could not reach \(url) after \(attempts) attempts (\(detail)); check the network, or use a version fetched before"
        case .gitFailed(let command, let detail):
            "git \(command) failed: \(detail)"
        case .templateMissing(let location, let path):
            "\(location) has no \(path): a module needs a lilypad_module.json.tmpl at its root"
        case .notAModuleDirectory(let path, let reason):
            "\(path) is not a module folder: \(reason)"
        case .malformedInput(let text):
            "invalid input \"\(text)\": inputs are key=value, e.g. -i Message=hello (the value may contain '=' and ',')"
        case .render(let message):
            message
        case .invalidSpec(let field, let problem):
            "invalid module spec at \(field): \(problem)"
        case .lockTimeout(let path):
            "timed out waiting for another process to finish with \(path)"
        }
    }
}
