import Foundation
import LilypadCore
import LilypadExecution
import LilypadModules

/// How a rendered module runs as a job: the module's command, environment and limits on top of
/// its image, as Bacalhau runs a v1beta1 Docker job (Lilypad's execution contract).
public enum ModuleJob {
    /// The execution request for `spec`, whose image is already resolved to `image`.
    ///
    /// - The module's `Entrypoint`, when given, replaces the image's entrypoint *and* its `Cmd`
    ///   (as `docker run --entrypoint` does); `Parameters` become the command.
    /// - The module's CPU, memory and disk needs become the job's limits (disk caps `/outputs`);
    ///   the provider's `defaults` fill in what the module leaves open.
    /// - A module asking for network gets it only when `allowNetwork` (the provider's choice).
    /// - The job's input files (`inputsDirectory`), if any, are read-only at `/inputs`.
    public static func request(
        for spec: ModuleSpec, image: ExecutionImage, name: String, outputsDirectory: URL, inputsDirectory: URL? = nil,
        defaults: ResourceLimits = ResourceLimits(), allowNetwork: Bool = false
    ) throws(ExecutionError) -> ExecutionRequest {
        var limits = defaults
        if let cpu = spec.resources.cpu, cpu.value > 0 { limits.cpu = cpu }
        if let memory = spec.resources.memory, memory.value > 0 { limits.memory = memory }
        if let disk = spec.resources.disk, disk.value > 0 { limits.outputs = disk }
        if let seconds = spec.timeoutSeconds, seconds > 0 { limits.timeout = .seconds(Int64(clamping: seconds)) }
        let network: NetworkAccess
        switch spec.network {
        case .none:
            network = .none
        case .http, .full:
            guard allowNetwork else {
                throw .invalidRequest(
                    "the module asks for network access, which this runner does not allow (jobs run without network unless the provider opts in)")
            }
            network = .host
        }
        let entrypoint = spec.entrypoint.isEmpty ? nil : spec.entrypoint
        let command: [String]? = entrypoint != nil || !spec.parameters.isEmpty ? spec.parameters : nil
        return ExecutionRequest(
            name: name, image: image, entrypoint: entrypoint, command: command, environment: spec.environment,
            workingDirectory: spec.workingDirectory, limits: limits, network: network, outputsDirectory: outputsDirectory,
            inputsDirectory: inputsDirectory)
    }
}
