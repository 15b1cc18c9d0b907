import Foundation
import LilypadExecution
import LilypadImages
import LilypadTestSupport

extension LilypadBenchmarks {
    /// Start→exit of `/bin/true` in a busybox root through ``SandboxExecutor`` (cgroups, outputs
    /// tmpfs, seccomp, bubblewrap as the slot uid, teardown): median and p90 over 30 runs after 3
    /// warm-ups. Needs root, bubblewrap and busybox-static; `LILYPAD_BENCH=sandbox` runs only this.
    static func sandboxStartBenchmark() async {
        let name = "sandbox start→exit, /bin/true"
        if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !name.contains(only) { return }
        let padded = name.padding(toLength: 42, withPad: " ", startingAt: 0)
        guard TestRootfs.isAvailable else {
            print("  \(padded) skipped: busybox-static is not installed")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-bench-rootfs-\(getpid())")
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-bench-outputs-\(getpid())")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outputs)
        }
        do {
            try TestRootfs.busybox(at: root)
            let executor = try SandboxExecutor()
            let image = ExecutionImage(reference: "busybox", digest: nil, rootfs: root, configuration: ImageConfiguration(command: ["/bin/true"]))
            let request = ExecutionRequest(name: "bench", image: image, outputsDirectory: outputs)
            let clock = ContinuousClock()
            var samples: [Duration] = []
            for index in 0..<33 {
                let start = clock.now
                let result = try await executor.run(request, output: nil)
                let elapsed = clock.now - start
                guard result.exitCode == 0 else {
                    print("  \(padded) failed: exit code \(result.exitCode)")
                    return
                }
                if index >= 3 { samples.append(elapsed) }
            }
            samples.sort()
            func milliseconds(_ q: Double) -> String {
                let value = samples[min(samples.count - 1, Int(Double(samples.count) * q))]
                return String(format: "%.1f", Double(value.components.seconds) * 1e3 + Double(value.components.attoseconds) / 1e15)
            }
            print("  \(padded) median \(milliseconds(0.5)) ms, p90 \(milliseconds(0.9)) ms, min \(milliseconds(0)) ms (\(samples.count) runs)")
        } catch {
            print("  \(padded) skipped: \(error)")
        }
    }
}
