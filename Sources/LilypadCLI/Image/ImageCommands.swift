import ArgumentParser
import Foundation
import LilypadImages

extension LilypadCommand.Image {
    /// `lilypad image pull REFERENCE`.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download an image from its registry, verifying every digest.")

        @Argument(help: "NAME[:TAG][@DIGEST], e.g. alpine:3.20, ghcr.io/owner/repo:tag, 127.0.0.1:5000/x@sha256:….")
        var reference: String

        @Option(name: .customLong("insecure-registry"), help: "A registry HOST[:PORT] reached over plain http (repeatable; loopback always is).")
        var insecureRegistries: [String] = []

        func run() async throws {
            let image = try await makeImageProvisioner(insecureRegistries: insecureRegistries).pull(reference)
            print("\(image.references.first ?? reference)@\(image.manifestDigest)")
        }
    }

    /// `lilypad image import PATH`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an image from an OCI layout folder or a `docker save` archive.")

        @Argument(help: "An OCI image layout folder, or a docker-archive .tar file.")
        var path: String

        @Option(help: "The reference to store it under (OCI layouts; default: the layout's own name).")
        var reference: String?

        func run() throws {
            let store = try makeImageProvisioner().store
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("\(path) does not exist")
            }
            let url = URL(fileURLWithPath: path)
            let images = isDirectory.boolValue ? [try store.importOCILayout(at: url, reference: reference)] : try store.importDockerArchive(at: url)
            for image in images { print("\(image.references.first ?? "<none>")@\(image.manifestDigest)") }
        }
    }

    /// `lilypad image build [REFERENCE | --recipe FILE]`.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an image from Debian packages without a container engine.",
            discussion: """
                Builds a built-in image (the images of the built-in modules: \
                \(ImageRecipe.builtin.keys.sorted().joined(separator: ", "))) or one described by a JSON recipe: \
                {"reference": "...", "debianPackages": ["libc6", ...], "files": [{"path": "/x", "contents": "...", "mode": 493}], \
                "config": {"Entrypoint": [...], "Cmd": [...], "Env": [...], "WorkingDir": "/"}}. Packages are fetched with \
                `apt-get download` once and cached; the same package versions always give the same digest.
                """
        )

        @Argument(help: "A built-in image to build.")
        var reference: String?

        @Option(help: "A JSON recipe file.")
        var recipe: String?

        func run() throws {
            let provisioner = try makeImageProvisioner()
            let recipe: ImageRecipe
            if let file = self.recipe {
                do {
                    recipe = try JSONDecoder().decode(ImageRecipe.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
                } catch {
                    throw CLIError("cannot read the recipe \(file): \(error)")
                }
            } else if let reference {
                guard let builtin = provisioner.recipe(for: reference) else {
                    throw CLIError(
                        "no built-in recipe for \(reference); built-in: \(ImageRecipe.builtin.keys.sorted().joined(separator: ", ")), or pass --recipe FILE"
                    )
                }
                recipe = builtin
            } else {
                throw ValidationError("name a built-in image or pass --recipe FILE")
            }
            let image = try provisioner.build(recipe)
            print("\(image.references.first ?? recipe.reference)@\(image.manifestDigest)")
        }
    }

    /// `lilypad image ls`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the images on this machine.")

        func run() throws {
            print(imageTable(try makeImageProvisioner().store.list()))
        }
    }

    /// `lilypad image rm REFERENCE...`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove image references (an image goes when none is left; `prune` frees the space).")

        @Argument(help: "References or digests (a unique digest prefix of 12+ hex digits will do).")
        var references: [String]

        func run() throws {
            let store = try makeImageProvisioner().store
            for reference in references {
                try store.remove(reference)
                print("Removed \(reference)")
            }
        }
    }

    /// `lilypad image prune`.
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete blobs and root filesystems no image uses.")

        func run() throws {
            let report = try makeImageProvisioner().store.garbageCollect()
            let freed = ByteCountFormatter.string(fromByteCount: report.freedBytes, countStyle: .binary)
            print("Removed \(report.removedBlobs) blobs and \(report.removedRootfs) root filesystems, freed \(freed)")
        }
    }
}
