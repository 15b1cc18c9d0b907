import Foundation
import Testing

/// Several agents on one machine fetching the same module at once.
@Suite("Module fetching across processes", .serialized)
struct ModuleFetchProcessTests {
    @Test func concurrentFetchesOfTheSameModuleBothSucceed() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        // Start several `lilypad module fetch` processes together on an empty cache.
        let processes = try (0..<4).map { _ -> (Process, Pipe, Pipe) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Oracle.lilypadBinary)
            process.arguments = ["module", "fetch", "cowsay:v0.0.4"]
            process.environment = ProcessInfo.processInfo.environment.merging(["LILYPAD_HOME": home]) { $1 }
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            return (process, out, err)
        }
        var lines: [String] = []
        for (process, out, err) in processes {
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
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
