import Foundation
import LilypadCore

/// A module's template, fetched and pinned to a commit.
public struct LoadedModule: Sendable, Hashable {
    /// What the user asked for.
    public var reference: ModuleReference
    /// What goes into a job offer: repository URL, resolved commit and template path.
    public var config: ModuleConfig
    /// The template text.
    public var template: String
    /// The module's files on this machine.
    public var directory: String
    /// True when a cached copy was used because the network was unreachable.
    public var offline: Bool
}

/// Resolves references to templates: short names through a ``ModuleRegistry``, repositories through
/// a ``ModuleRepositoryCache``, local folders as they are.
public struct ModuleLoader: Sendable {
    /// The template file every module has at its root.
    public static let templatePath = "/lilypad_module.json.tmpl"

    public var registry: ModuleRegistry
    public var cache: ModuleRepositoryCache

    public init(registry: ModuleRegistry, cache: ModuleRepositoryCache) {
        self.registry = registry
        self.cache = cache
    }

    /// Fetches (or finds in the cache) and reads a module's template.
    public func load(_ reference: ModuleReference) throws(ModuleError) -> LoadedModule {
        switch reference {
        case .localDirectory(let path):
            let directory = Self.absolutePath(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .notAModuleDirectory(path, reason: "no such folder")
            }
            let template = try Self.readTemplate(in: directory, location: path)
            return LoadedModule(
                reference: reference, config: ModuleConfig(repo: "file://" + directory, hash: "", path: Self.templatePath),
                template: template, directory: directory, offline: false)
        case .named(let name, let ref):
            return try loadRepository(url: registry.url(for: name), ref: ref, reference: reference)
        case .repository(let url, let ref):
            return try loadRepository(url: url, ref: ref, reference: reference)
        }
    }

    private func loadRepository(url: String, ref: String, reference: ModuleReference) throws(ModuleError) -> LoadedModule {
        let checkout: ModuleCheckout
        do {
            checkout = try cache.checkout(url: url, ref: ref)
        } catch .repositoryNotFound(_, _) where { if case .named = reference { return true } else { return false } }() {
            if case .named(let name, _) = reference { throw .unknownModule(name, registry: registry.name) }
            throw .repositoryNotFound(url: url, detail: "")
        }
        let template = try Self.readTemplate(in: checkout.directory, location: "\(reference) (commit \(checkout.commit.prefix(12)))")
        return LoadedModule(
            reference: reference, config: ModuleConfig(repo: url, hash: checkout.commit, path: Self.templatePath), template: template,
            directory: checkout.directory, offline: checkout.offline)
    }

    static func readTemplate(in directory: String, location: String) throws(ModuleError) -> String {
        guard let data = FileManager.default.contents(atPath: directory + templatePath) else {
            throw .templateMissing(location: location, path: String(templatePath.dropFirst()))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .notAModuleDirectory(location, reason: "lilypad_module.json.tmpl is not UTF-8 text")
        }
        return text
    }

    static func absolutePath(_ path: String) -> String {
        var expanded = path
        if expanded.hasPrefix("~/") { expanded = NSHomeDirectory() + expanded.dropFirst() }
        if !expanded.hasPrefix("/") { expanded = FileManager.default.currentDirectoryPath + "/" + expanded }
        return URL(fileURLWithPath: expanded).standardizedFileURL.path
    }
}

extension ModuleLoader {
    /// The loader every role uses: `home`'s module cache, and Lilypad's registry with the built-in
    /// modules served locally.
    public init(home: LilypadHome) throws(ModuleError) {
        let builtins = try BuiltinModules.materialize(in: home.modules)
        self.init(registry: ModuleRegistry.lilypad.overriding(builtins), cache: ModuleRepositoryCache(root: home.modules))
    }
}
