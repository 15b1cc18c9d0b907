import Foundation
import LilypadCore

/// Finds the image a job names: in the store; else built from a built-in recipe (the images of
/// the built-in modules, so they run offline); else pulled from its registry.
public struct ImageProvisioner: Sendable {
    public var store: ImageStore
    public var builder: ImageBuilder
    /// Recipes by the reference they build, normalized.
    public var recipes: [String: ImageRecipe]
    public var registry: RegistryClient.Configuration

    public init(
        store: ImageStore, builder: ImageBuilder, recipes: [String: ImageRecipe] = ImageRecipe.builtin,
        registry: RegistryClient.Configuration = RegistryClient.Configuration()
    ) {
        self.store = store
        self.builder = builder
        self.registry = registry
        var normalized: [String: ImageRecipe] = [:]
        for (reference, recipe) in recipes {
            normalized[(try? ImageReference(parsing: reference).description) ?? reference] = recipe
        }
        self.recipes = normalized
    }

    /// The store and builder in Lilypad's home folder (`<home>/images`, `.deb` cache in `<home>/images/debs`).
    public init(home: LilypadHome) throws(ImageError) {
        let store = try ImageStore(home: home)
        self.init(store: store, builder: ImageBuilder(packages: DebianPackages(cache: store.root.appendingPathComponent("debs"))))
    }

    /// The image for `reference`, provisioning it if needed.
    public func image(_ reference: String) async throws(ImageError) -> StoredImage {
        if let stored = try store.image(reference) { return stored }
        if let recipe = recipe(for: reference) {
            // Building runs apt-get and dpkg-deb and writes layers: off the threads tasks run on.
            return try await offloadBlocking { [self] () throws(ImageError) -> StoredImage in try build(recipe) }
        }
        return try await pull(reference)
    }

    /// The built-in recipe for `reference`, if any.
    public func recipe(for reference: String) -> ImageRecipe? {
        guard let normalized = try? ImageReference(parsing: reference).description else { return nil }
        return recipes[normalized]
    }

    /// Builds `recipe` and stores the result under its reference.
    public func build(_ recipe: ImageRecipe) throws(ImageError) -> StoredImage {
        let layout = store.root.appendingPathComponent("tmp/build-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: layout) }
        let output = try builder.build(recipe, layout: layout)
        return try store.importOCILayout(at: output.layout, reference: recipe.reference)
    }

    /// Pulls `reference` from its registry.
    public func pull(_ reference: String) async throws(ImageError) -> StoredImage {
        let client = RegistryClient(configuration: registry)
        do {
            let stored = try await store.pull(reference, using: client)
            await client.shutdown()
            return stored
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
