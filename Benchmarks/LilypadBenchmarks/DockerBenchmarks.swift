import Foundation
import LilypadExecution
import LilypadImages

extension LilypadBenchmarks {
    /// Start→exit of a trivial `/bin/true` job through ``DockerExecutor`` (image already imported),
    /// against the engine at `LILYPAD_DOCKER_SOCKET`. Skipped with a message when that is unset.
    static func dockerBenchmarks() async throws {
        let name = "docker executor, /bin/true start→exit"
        if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !name.contains(only) { return }
        guard let socket = ProcessInfo.processInfo.environment["LILYPAD_DOCKER_SOCKET"], !socket.isEmpty else {
            print("  \(name.padding(toLength: 42, withPad: " ", startingAt: 0)) skipped: set LILYPAD_DOCKER_SOCKET to a dockerd socket")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else {
            print("  \(name.padding(toLength: 42, withPad: " ", startingAt: 0)) skipped: needs /bin/busybox (busybox-static)")
            return
        }
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("lilypad-bench-docker-\(UUID().uuidString.prefix(8))")
        defer { try? fm.removeItem(at: scratch) }
        let rootfs = scratch.appendingPathComponent("rootfs")
        try fm.createDirectory(at: rootfs.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: "/bin/busybox", toPath: rootfs.appendingPathComponent("bin/busybox").path)
        try fm.createSymbolicLink(atPath: rootfs.appendingPathComponent("bin/true").path, withDestinationPath: "busybox")
        let image = ExecutionImage(reference: "bench/true", digest: nil, rootfs: rootfs, configuration: ImageConfiguration(entrypoint: ["/bin/true"]))
        let executor = DockerExecutor(socketPath: socket, scratchDirectory: scratch.appendingPathComponent("jobs"))
        try await executor.prepareImage(image)

        let runs = 30
        var startToExit: [Duration] = []
        var whole: [Duration] = []
        let clock = ContinuousClock()
        for index in 0..<(runs + 3) {
            let request = ExecutionRequest(
                name: "bench-true-\(index)", image: image, limits: ResourceLimits(memory: 64, timeout: .seconds(60)),
                outputsDirectory: scratch.appendingPathComponent("outputs-\(index)"))
            let started = clock.now
            let result = try await executor.run(request, output: nil)
            let elapsed = clock.now - started
            guard result.termination == .exited(code: 0) else {
                print("  \(name): the job failed: \(result.failureReason ?? "?") \(String(decoding: result.stderr, as: UTF8.self))")
                return
            }
            if index >= 3 {  // warm-ups
                startToExit.append(result.usage.wallTime)
                whole.append(elapsed)
            }
        }
        func milliseconds(_ values: [Duration], _ quantile: Double) -> String {
            let sorted = values.sorted()
            let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))]
            return String(format: "%.1f", Double(value.components.seconds) * 1e3 + Double(value.components.attoseconds) / 1e15)
        }
        print(
            "  \(name.padding(toLength: 42, withPad: " ", startingAt: 0)) median \(milliseconds(startToExit, 0.5)) ms, "
                + "p90 \(milliseconds(startToExit, 0.9)) ms; whole run() with create/remove median \(milliseconds(whole, 0.5)) ms, "
                + "p90 \(milliseconds(whole, 0.9)) ms (\(runs) runs)")
    }
}
