import CLinuxSupport
import Foundation

extension SandboxExecutor {
    /// The name of a job's cgroups and outputs mount: `lilypad-<name>-s<slot>-<random>`. The slot
    /// number lets a later agent tell leftovers of a dead agent (whose slot lock is free) from
    /// running jobs.
    static func jobID(name: String, slot: Int) -> String {
        "lilypad-\(name)-s\(slot)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// The slot in a job ID made by ``jobID(name:slot:)``.
    static func slot(inJobID id: Substring) -> Int? {
        guard id.hasPrefix("lilypad-") else { return nil }
        let parts = id.split(separator: "-")
        guard parts.count >= 4, let slotPart = parts.dropLast().last, slotPart.hasPrefix("s") else { return nil }
        return Int(slotPart.dropFirst())
    }

    /// Removes what agents killed mid-job (SIGKILL, power loss) left behind: job cgroups (after
    /// killing anything still in them) and outputs mounts with their scratch folders, for every slot
    /// no running agent holds. Returns what was removed.
    @discardableResult
    public func sweepLeftovers(holding held: SlotAllocator.Slot? = nil) -> [String] {
        var cgroups: [Int: [String: [String]]] = [:]  // slot → controller → folders
        if case .success(let layout) = host.cgroups {
            for (controller, parent) in layout.parents {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
                    guard let slot = Self.slot(inJobID: Substring(entry)) else { continue }
                    cgroups[slot, default: [:]][controller, default: []].append("\(parent)/\(entry)")
                }
            }
        }
        var mounts: [Int: [String]] = [:]  // slot → mount points
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        for line in mountinfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let fields = halves[0].split(separator: " "), tail = halves[1].split(separator: " ")
            guard fields.count > 4, tail.count > 1, tail[0] == "tmpfs", tail[1].hasPrefix("lilypad-outputs-") else { continue }
            guard let slot = Self.slot(inJobID: tail[1].dropFirst("lilypad-outputs-".count)) else { continue }
            mounts[slot, default: []].append(String(fields[4]))
        }
        var removed: [String] = []
        for slot in Set(cgroups.keys).union(mounts.keys).sorted() {
            let lock: SlotAllocator.Slot?
            if let held, held.index == slot {
                lock = nil
            } else {
                guard let acquired = configuration.slots.tryAcquire(slot) else { continue }  // a live job's
                lock = acquired
            }
            defer { lock?.release() }
            var byName: [String: [String: String]] = [:]
            for (controller, folders) in cgroups[slot] ?? [:] {
                for folder in folders { byName[(folder as NSString).lastPathComponent, default: [:]][controller] = folder }
            }
            for (_, paths) in byName {
                let left = JobCgroup(existing: paths).destroy()
                removed += paths.values.filter { !left.contains($0) }
            }
            for mountPoint in mounts[slot] ?? [] {
                guard lp_umount(mountPoint, 1) == 0 else { continue }
                rmdir(mountPoint)
                let scratch = (mountPoint as NSString).deletingLastPathComponent
                OutputsMount.unbindRootfs(in: scratch)
                if (scratch as NSString).lastPathComponent.hasPrefix("lilypad-sandbox-") { rmdir(scratch) }
                removed.append(mountPoint)
            }
        }
        return removed
    }
}
