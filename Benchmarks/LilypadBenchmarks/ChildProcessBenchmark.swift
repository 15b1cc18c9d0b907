import Foundation
import LilypadCore
import Synchronization

extension LilypadBenchmarks {
    /// Start→end of `/bin/true` while another thread keeps starting `sleep 3`s (as a provider or a
    /// test run starts programs side by side), with Foundation's `Process` and with
    /// ``ChildProcess``: median, p99, max, and how many waits took over a second because the
    /// unrelated program inherited what the waiter watches. `LILYPAD_BENCH=child` runs only this.
    static func childProcessBenchmark(seconds: Double = 15) async {
        let name = "child process start→end, /bin/true"
        if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !name.contains(only) { return }
        for useFoundation in [true, false] {
            let spawning = Flag()
            let sleepers = Thread {
                while spawning.value.load(ordering: .relaxed) {
                    if useFoundation {
                        let sleeper = Process()
                        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
                        sleeper.arguments = ["3"]
                        try? sleeper.run()
                    } else {
                        _ = try? ChildProcess("/bin/sleep", ["3"])
                    }
                    usleep(2_000)
                }
            }
            sleepers.start()
            var samples: [Duration] = []
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(seconds)
            while clock.now < deadline {
                let start = clock.now
                if useFoundation {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/true")
                    guard (try? process.run()) != nil else { break }
                    process.waitUntilExit()
                } else {
                    guard let child = try? ChildProcess("/bin/true", []) else { break }
                    await child.wait()
                }
                samples.append(clock.now - start)
            }
            spawning.value.store(false, ordering: .relaxed)
            samples.sort()
            guard !samples.isEmpty else { continue }
            func milliseconds(_ q: Double) -> String {
                String(format: "%.1f", samples[min(samples.count - 1, Int(Double(samples.count) * q))].seconds * 1e3)
            }
            let slow = samples.filter { $0 > .seconds(1) }.count
            let label = (useFoundation ? "Foundation Process" : "ChildProcess").padding(toLength: 19, withPad: " ", startingAt: 0)
            print(
                "  \(name), \(label) median \(milliseconds(0.5)) ms, p99 \(milliseconds(0.99)) ms, max \(milliseconds(1)) ms;"
                    + " \(slow) of \(samples.count) waits over 1 s")
            try? await Task.sleep(for: .seconds(3.5))  // let the last sleepers end
        }
    }
}

/// A flag shared with a thread.
private final class Flag: Sendable {
    let value = Atomic(true)
}
