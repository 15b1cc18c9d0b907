import Foundation

/// Maps short module names (`cowsay` in `cowsay:v0.0.4`) to git repositories.
public struct ModuleRegistry: Sendable, Hashable {
    /// A name for messages, e.g. "Lilypad's module registry".
    public var name: String
    /// The URL of a module called `{name}`.
    public var urlTemplate: String
    /// Names served from elsewhere (e.g. the built-in modules of the local network).
    public var overrides: [String: String]

    public init(name: String, urlTemplate: String, overrides: [String: String] = [:]) {
        self.name = name
        self.urlTemplate = urlTemplate
        self.overrides = overrides
    }

    /// Lilypad's public registry: `https://github.com/Lilypad-Tech/lilypad-module-<name>`.
    public static let lilypad = ModuleRegistry(
        name: "Lilypad's module registry", urlTemplate: "https://github.com/Lilypad-Tech/lilypad-module-{name}")

    /// The repository URL for a short name.
    public func url(for moduleName: String) -> String {
        overrides[moduleName] ?? urlTemplate.replacingOccurrences(of: "{name}", with: moduleName)
    }

    /// This registry with `overrides` added (taking precedence).
    public func overriding(_ more: [String: String]) -> ModuleRegistry {
        ModuleRegistry(name: name, urlTemplate: urlTemplate, overrides: overrides.merging(more) { $1 })
    }
}
