import Foundation
import LilypadCore

/// Finds the host's NVIDIA GPUs and what a job needs to use them: device nodes, the driver's
/// user-space libraries (which must match the host's kernel module, so they come from the host,
/// never the image) and the devices cgroup rules.
public enum GPUDetector {
    /// The `nvidia-smi` query whose output ``parse(_:)`` reads.
    public static let query = ["--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits"]

    /// Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits`
    /// (`0, GPU-…, NVIDIA H100 80GB HBM3, 81559`); lines that do not parse are skipped.
    public static func parse(_ output: String) -> [GPUDevice] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 4, let index = Int(fields[0]), !fields[1].isEmpty else { return nil }
            // A name may itself contain commas: everything between the UUID and the last field.
            let name = fields[2..<(fields.count - 1)].joined(separator: ",")
            guard let memory = Int(fields[fields.count - 1]) else { return nil }
            return GPUDevice(index: index, uuid: fields[1], name: name, memory: Mebibytes(memory))
        }
    }

    /// The host's GPUs from `nvidia-smi`, or `[]` when it is missing or fails.
    public static func detect() -> [GPUDevice] {
        let candidates = ["/usr/bin/nvidia-smi", "/usr/local/bin/nvidia-smi", "/usr/local/nvidia/bin/nvidia-smi"]
        guard let smi = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return [] }
        guard let output = try? ExternalCommand(smi, query).run(), output.status == 0 else { return [] }
        return parse(output.stdout)
    }

    /// The device nodes a job with `gpus` gets (`--dev-bind`), those of them that exist under `devRoot`.
    public static func deviceNodes(for gpus: [GPUDevice], devRoot: String = "/dev") -> [String] {
        guard !gpus.isEmpty else { return [] }
        let shared = ["nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"]
        let own = gpus.map { "nvidia\($0.index)" }
        return (shared + own).map { "\(devRoot)/\($0)" }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Driver libraries bound read-only into the job at ``libraryDirectory``.
    public static let driverLibraryPrefixes = [
        "libcuda.so", "libnvidia-ml.so", "libnvidia-ptxjitcompiler.so", "libnvidia-nvvm.so", "libnvidia-gpucomp.so", "libcudadebugger.so",
    ]
    /// Where the job sees the host's driver libraries (added to `LD_LIBRARY_PATH`).
    public static let libraryDirectory = "/run/nvidia/lib"

    /// The host's driver libraries: `(host path, name in the job)`, the versioned files and their `.so.N` names.
    public static func driverLibraries(
        searching directories: [String] = ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"]
    ) -> [(
        source: String, name: String
    )] {
        var found: [(source: String, name: String)] = []
        var names: Set<String> = []
        for directory in directories {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for entry in entries.sorted() where driverLibraryPrefixes.contains(where: { entry.hasPrefix($0) }) {
                guard !names.contains(entry) else { continue }
                let path = "\(directory)/\(entry)"
                // Symlinks are bound as the files they point to (a bind mount follows its source).
                guard FileManager.default.fileExists(atPath: path) else { continue }
                names.insert(entry)
                found.append((path, entry))
            }
        }
        return found
    }

    /// devices-cgroup rules for a job with `gpus`: the usual character devices plus the GPUs'
    /// (major 195) and the `nvidia-uvm` major from `/proc/devices`.
    public static func deviceRules(for gpus: [GPUDevice], procDevices: String) -> [String] {
        var rules = [
            "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm",
            "c 195:255 rw", "c 195:254 rw",
        ]
        rules += gpus.map { "c 195:\($0.index) rw" }
        for line in procDevices.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 2, fields[1] == "nvidia-uvm", let major = Int(fields[0]) { rules.append("c \(major):* rw") }
        }
        return rules
    }
}
