import Foundation
import LilypadCore
import Testing

/// Several agents on one machine fetching the same module at once.
@Suite("Module fetching across processes", .serialized)
struct ModuleFetchProcessTests {
    @Test func concurrentFetchesOfTheSameModuleBothSucceed() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        // Start several `lilypad module fetch` processes together on an empty cache.
        let processes = try (0..<4).map { n -> (ChildProcess, String, String) in
            let out = home + "-\(n).out", err = home + "-\(n).err"
            let process = try ChildProcess(
                Oracle.lilypadBinary, ["module", "fetch", "cowsay:v0.0.4"],
                environment: ProcessInfo.processInfo.environment.merging(["LILYPAD_HOME": home]) { $1 }, stdout: .file(out), stderr: .file(err))
            return (process, out, err)
        }
        var lines: [String] = []
        for (process, out, err) in processes {
            let termination = await process.wait()
            let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            for file in [out, err] { try? FileManager.default.removeItem(atPath: file) }
            #expect(termination == .exited(0), "\(stderr)")
            lines.append(stdout)
        }
        #expect(Set(lines).count == 1, "every process resolved the same commit and folder: \(lines)")
        let folder = try #require(lines.first?.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: folder + "/lilypad_module.json.tmpl"))
    }

    @Test func missingRefIsOneLine() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let output = try Oracle.lilypad(["module", "fetch", "cowsay:v9.9.9"], environment: ["LILYPAD_HOME": home])
        #expect(output.status == 1)
        #expect(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(output.stderr)")
        #expect(output.stderr.contains("has no tag, branch or commit \"v9.9.9\""))
    }
}
