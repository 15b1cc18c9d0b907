import Foundation
import LilypadCore

/// `Oracles/registry_token_server.py`: issues RS256 JWTs for a registry with `auth: token`.
/// Anyone may pull repositories under `public/`; `alice:secret` may pull everything. Call ``stop()``.
final class RegistryTokenServer {
    static var isAvailable: Bool {
        (try? Oracle.run("python3", ["-c", "import jwt, cryptography"]))?.status == 0
    }
    static let setupHint = "needs the Python packages pyjwt and cryptography (scripts/setup.sh --test installs them)"

    let certificate: URL
    let port: Int
    private let process: ChildProcess

    var realm: String { "http://127.0.0.1:\(port)/token" }

    init(folder: URL) throws {
        certificate = folder.appendingPathComponent("token-signer.pem")
        let out = Pipe()
        process = try ChildProcess(
            "python3",
            [Oracle.directory + "/registry_token_server.py", certificate.path, RegistryFixture.TokenAuth.issuer, "alice:secret", "public/"],
            stdout: .descriptor(out.fileHandleForWriting.fileDescriptor), stderr: .null)
        try out.fileHandleForWriting.close()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.send(SIGKILL)
            process.waitUntilExit()
            throw Oracle.Failure(description: "the token server did not start")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: children of the test runner may inherit a mask that blocks SIGTERM.
        if process.isRunning { process.send(SIGKILL) }
        process.waitUntilExit()
    }
}
