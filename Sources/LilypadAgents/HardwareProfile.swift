import Foundation
import LilypadCore
import LilypadExecution

/// What this machine can offer: CPU, memory, disk and NVIDIA GPUs (via `nvidia-smi`).
public struct HardwareProfile: Sendable, Hashable {
    public var cpu: Millicores
    public var ram: Mebibytes
    /// Free disk under the data folder.
    public var disk: ByteCount
    public var gpus: [GPUDevice]

    public init(cpu: Millicores, ram: Mebibytes, disk: ByteCount, gpus: [GPUDevice]) {
        self.cpu = cpu
        self.ram = ram
        self.disk = disk
        self.gpus = gpus
    }

    /// Measures this machine; `path` is where job data goes (its file system's free space counts).
    public static func detect(path: String = "/") -> HardwareProfile {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let memory = ProcessInfo.processInfo.physicalMemory
        var disk: UInt64 = 0
        if let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path),
            let free = attributes[.systemFreeSize] as? NSNumber
        {
            disk = free.uint64Value
        }
        return HardwareProfile(
            cpu: Millicores(cpus * 1000), ram: Mebibytes(Int(memory >> 20)), disk: ByteCount(Int(clamping: disk)), gpus: GPUDetector.detect())
    }

    /// The machine spec each of `slots` equal slots offers (GPUs are not split: slot i gets GPU i if any).
    public func perSlot(_ slots: Int) -> MachineSpec {
        let count = max(slots, 1)
        let gpusPerSlot = gpus.count / count
        let slotGPUs = gpus.prefix(gpusPerSlot).map { GPUSpec(name: $0.name, vendor: "NVIDIA", vram: $0.memory) }
        return MachineSpec(
            gpu: gpusPerSlot, gpus: slotGPUs.isEmpty ? nil : slotGPUs, cpu: Millicores(cpu.value / count), ram: Mebibytes(ram.value / count),
            disk: ByteCount(disk.value / count))
    }
}
