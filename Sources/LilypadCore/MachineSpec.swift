/// Hardware: a resource provider's capacity, or the minimum a job needs (Lilypad's `MachineSpec`).
///
/// Units are explicit: CPU in millicores, RAM and VRAM in MiB, disk in bytes. A zero requirement
/// matches anything.
public struct MachineSpec: Sendable, Hashable, Codable {
    /// Number of whole GPUs (Lilypad documents milli-GPUs but every party uses a count).
    public var gpu: Int
    /// The GPUs, each with its VRAM; `nil` is Go's nil slice (`null` on the wire).
    public var gpus: [GPUSpec]?
    public var cpu: Millicores
    public var ram: Mebibytes
    public var disk: ByteCount

    public init(gpu: Int = 0, gpus: [GPUSpec]? = nil, cpu: Millicores = 0, ram: Mebibytes = 0, disk: ByteCount = 0) {
        self.gpu = gpu
        self.gpus = gpus
        self.cpu = cpu
        self.ram = ram
        self.disk = disk
    }
}

/// One GPU (Lilypad's `GPUSpec`).
public struct GPUSpec: Sendable, Hashable, Codable {
    public var name: String
    public var vendor: String
    public var vram: Mebibytes

    public init(name: String = "", vendor: String = "", vram: Mebibytes = 0) {
        self.name = name
        self.vendor = vendor
        self.vram = vram
    }
}
