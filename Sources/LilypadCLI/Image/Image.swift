import ArgumentParser
import Foundation
import LilypadCore
import LilypadImages

extension LilypadCommand {
    /// `lilypad image …`: the images jobs run in.
    struct Image: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull, import, build, list and remove job images.",
            discussion: """
                Images live in $LILYPAD_HOME/images: verified blobs by digest and one read-only root filesystem per \
                image. No container engine is needed. Registry credentials come from ~/.docker/config.json \
                (or $DOCKER_CONFIG) when present.
                """,
            subcommands: [Pull.self, Import.self, Build.self, List.self, Remove.self, Prune.self]
        )
    }
}

/// The image provisioner for `$LILYPAD_HOME`, with extra plain-http registries.
func makeImageProvisioner(
    insecureRegistries: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment
)
    throws -> ImageProvisioner
{
    var provisioner = try ImageProvisioner(home: LilypadHome(environment: environment))
    provisioner.registry.insecureRegistries.formUnion(insecureRegistries)
    return provisioner
}

/// One line per image: reference, short digest, size, as `docker images` shows them.
func imageTable(_ images: [StoredImage]) -> String {
    var rows = [["REFERENCE", "DIGEST", "SIZE"]]
    for image in images.sorted(by: { ($0.references.first ?? "") < ($1.references.first ?? "") }) {
        let size = ByteCountFormatter.string(fromByteCount: image.size, countStyle: .binary)
        for reference in image.references.isEmpty ? ["<none>"] : image.references {
            rows.append([reference, image.manifestDigest.shortHex, size])
        }
    }
    let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { $1.padding(toLength: $0 == 2 ? $1.count : widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "   ")
    }.joined(separator: "\n")
}
