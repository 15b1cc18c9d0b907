import Foundation
import LilypadCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A Debian `docker-registry` (distribution 2.8) on a free loopback port with its own storage,
/// optionally behind token auth, plus `skopeo` and `curl` to put images into it. Call ``stop()``.
final class RegistryFixture {
    static let registryBinary = "/usr/bin/docker-registry"
    /// Whether the tools are installed (`scripts/setup.sh` installs them).
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: registryBinary) && FileManager.default.isExecutableFile(atPath: "/usr/bin/skopeo")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
    }
    static let setupHint = "needs docker-registry, skopeo and curl (scripts/setup.sh installs them)"

    /// Token auth: the token server's realm and the registry's view of it.
    struct TokenAuth {
        var realm: String
        var certificate: String
        static let service = "lilypad-test-registry"
        static let issuer = "lilypad-test-issuer"
    }

    let folder: URL
    let storage: URL
    let port: Int
    private let process: ChildProcess

    /// `127.0.0.1:<port>`.
    var host: String { "127.0.0.1:\(port)" }

    /// Starts a registry storing in `storage` (a new folder unless given).
    init(folder: URL, storage: URL? = nil, tokenAuth: TokenAuth? = nil) throws {
        self.folder = folder
        self.storage = storage ?? folder.appendingPathComponent("storage")
        try FileManager.default.createDirectory(at: self.storage, withIntermediateDirectories: true)
        port = try Self.freePort()
        var config = """
            version: 0.1
            log: {level: warn}
            storage: {filesystem: {rootdirectory: \(self.storage.path)}, delete: {enabled: true}}
            http: {addr: 127.0.0.1:\(port)}

            """
        if let tokenAuth {
            config += """
                auth:
                  token:
                    realm: \(tokenAuth.realm)
                    service: \(TokenAuth.service)
                    issuer: \(TokenAuth.issuer)
                    rootcertbundle: \(tokenAuth.certificate)

                """
        }
        let configURL = folder.appendingPathComponent("registry-\(port).yml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let log = folder.appendingPathComponent("registry-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process = try ChildProcess(
            Self.registryBinary, ["serve", configURL.path], stdout: .descriptor(handle.fileDescriptor), stderr: .descriptor(handle.fileDescriptor))
        do {
            try Self.waitUntilListening(port: port, process: process, log: log)
        } catch {
            stop()
            throw error
        }
    }

    /// Stops the registry and waits for it to exit.
    func stop() {
        // SIGKILL: children of the test runner may inherit a mask that blocks SIGTERM.
        if process.isRunning { process.send(SIGKILL) }
        process.waitUntilExit()
    }

    /// `skopeo copy` of `layout:tag` to `repository:destinationTag` here (`v2s2` pushes a Docker manifest).
    func push(layout: URL, tag: String, to repository: String, as destinationTag: String, dockerFormat: Bool = false) throws {
        var arguments = ["copy", "--quiet", "--dest-tls-verify=false"]
        if dockerFormat { arguments += ["--format", "v2s2"] }
        arguments += ["oci:\(layout.path):\(tag)", "docker://\(host)/\(repository):\(destinationTag)"]
        let output = try Oracle.run("/usr/bin/skopeo", arguments)
        guard output.status == 0 else { throw Oracle.Failure(description: "skopeo \(arguments.joined(separator: " ")) failed: \(output.stderr)") }
    }

    /// `PUT /v2/<repository>/manifests/<tag>` of a document of `mediaType`.
    func putManifest(_ bytes: [UInt8], mediaType: String, repository: String, tag: String) throws {
        let file = folder.appendingPathComponent("manifest-\(UUID().uuidString).json")
        try Data(bytes).write(to: file)
        let output = try Oracle.run(
            "/usr/bin/curl",
            [
                "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Content-Type: \(mediaType)", "--data-binary", "@\(file.path)",
                "http://\(host)/v2/\(repository)/manifests/\(tag)",
            ])
        guard output.stdout == "201" else { throw Oracle.Failure(description: "PUT manifest answered \(output.stdout): \(output.stderr)") }
    }

    /// The file holding a blob in the registry's storage.
    func blobData(_ digest: String) -> URL {
        let hex = String(digest.dropFirst(7))
        return storage.appendingPathComponent("docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }

    static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw Oracle.Failure(description: "socket failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else { throw Oracle.Failure(description: "bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func waitUntilListening(port: Int, process: ChildProcess, log: URL) throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            guard process.isRunning else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw Oracle.Failure(description: "docker-registry exited: \(text)")
            }
            let output = try Oracle.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/v2/"])
            if output.stdout == "200" || output.stdout == "401" { return }
            usleep(50_000)
        }
        throw Oracle.Failure(description: "docker-registry did not start listening on port \(port)")
    }
}
