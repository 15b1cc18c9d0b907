import Foundation
import LilypadCore
import LilypadExecution
import LilypadImages
import LilypadModules
import Synchronization

/// Runs a deal's job as a resource provider (or a mediator) does: fetches the module at the
/// deal's commit, renders it with the deal's inputs, provisions its image, runs it on an executor
/// and writes the results folder (`stdout`, `stderr`, `exitCode`, `outputs/`).
public struct ModuleRunner: Sendable {
    /// What running a job produced.
    public struct Outcome: Sendable {
        /// The results folder.
        public var folder: URL
        /// The job's result as the executor saw it.
        public var result: ExecutionResult
        /// For a job run in a warm module process: how many jobs that process has run, this one
        /// included (1: it was started for this job). `nil` for a job run in a fresh sandbox.
        public var warmProcessJobs: Int?
    }

    /// Why a job could not be run at all (as opposed to running and failing).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public let home: LilypadHome
    public let executor: any Executor
    /// Give jobs that ask for it the host's network.
    public var allowNetwork = false
    /// Limits for what a module leaves open.
    public var defaults = ResourceLimits()
    /// Where modules that declare `"warm": true` run when set: in a process kept between jobs.
    /// Jobs with input files always run in a fresh sandbox (a running process cannot be given
    /// another job's `/inputs`).
    public var warm: WarmModulePool?

    public init(home: LilypadHome, executor: any Executor) {
        self.home = home
        self.executor = executor
    }

    /// Renders the module a job offer names, at its commit, with its inputs.
    public func render(module config: ModuleConfig, inputs: [String: String]) throws(Failure) -> ModuleSpec {
        do {
            let loader = try ModuleLoader(home: home)
            let loaded = try loader.load(try reference(for: config, loader: loader))
            guard config.hash.isEmpty || loaded.config.hash == config.hash else {
                throw Failure("module \(config.name) is at commit \(loaded.config.hash) here, but the job asks for \(config.hash)")
            }
            return try ModuleRenderer.render(loaded, inputs: inputs).spec
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("cannot prepare module \(config.name.isEmpty ? config.repo : config.name): \(error)")
        }
    }

    /// Where to fetch `config` from. A `file://` repository is accepted only inside this home's
    /// built-in modules (a job must not make a provider read its local files); a built-in module
    /// known by name is fetched from this machine's copy (the commit check keeps it honest).
    func reference(for config: ModuleConfig, loader: ModuleLoader) throws -> ModuleReference {
        guard config.repo.hasPrefix("file://") else { return .repository(url: config.repo, ref: config.hash) }
        let path = URL(fileURLWithPath: String(config.repo.dropFirst("file://".count))).standardizedFileURL.path
        if path.hasPrefix(home.modules + "/builtin/"), FileManager.default.fileExists(atPath: path) {
            return .repository(url: "file://" + path, ref: config.hash)
        }
        if !config.name.isEmpty, case .named(let name, _) = try ModuleReference(parsing: config.name),
            loader.registry.url(for: name).hasPrefix("file://")
        {
            return .repository(url: loader.registry.url(for: name), ref: config.hash)
        }
        throw Failure("module repository \(config.repo) is a local path, which providers do not fetch; publish the module in a git repository")
    }

    /// Runs the job of `offer` and writes its results folder into `folder` (created fresh); the
    /// job sees `inputs` (its input files, see ``unpackInputs(_:into:)``) read-only at `/inputs`.
    ///
    /// `stop` ends the job early: a warm process is asked to end it, a job in a fresh sandbox is
    /// killed; either way the results folder holds what the job printed until then, exit code 130
    /// (``Termination/stopped``).
    public func run(
        offer: JobOffer, name: String, folder: URL, inputs: URL? = nil, stop: StopSignal? = nil,
        output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)? = nil
    ) async throws(Failure) -> Outcome {
        // Fetching the module runs git: off the threads tasks run on.
        let spec = try await offloadBlocking { [self] () throws(Failure) -> ModuleSpec in
            try render(module: offer.module, inputs: offer.inputs ?? [:])
        }
        let image: ExecutionImage
        do {
            let provisioner = try ImageProvisioner(home: home)
            image = ExecutionImage(try await provisioner.image(spec.image), reference: spec.image)
        } catch {
            throw Failure("cannot get the module's image \(spec.image): \(error)")
        }
        var limits = defaults
        if offer.executionTimeoutSeconds > 0 { limits.timeout = .seconds(Int64(clamping: offer.executionTimeoutSeconds)) }
        let request: ExecutionRequest
        do {
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("outputs"), withIntermediateDirectories: true)
            request = try ModuleJob.request(
                for: spec, image: image, name: name, outputsDirectory: folder.appendingPathComponent("outputs"), inputsDirectory: inputs,
                defaults: limits, allowNetwork: allowNetwork)
        } catch {
            throw Failure("cannot run the module: \(error)")
        }
        let result: ExecutionResult
        var warmProcessJobs: Int?
        do {
            if let warm, spec.warm, inputs == nil {
                (result, warmProcessJobs) = try await warm.run(
                    request, module: "\(offer.module.repo)@\(offer.module.hash)", stop: stop, output: output)
            } else if let stop {
                result = try await Self.run(request, on: executor, stop: stop, output: output)
            } else {
                result = try await executor.run(request, output: output)
            }
        } catch {
            throw Failure("the job could not run: \(error)")
        }
        do { try Self.writeResults(result, to: folder) } catch {
            throw Failure("cannot write the results folder \(folder.path): \(error.localizedDescription)")
        }
        return Outcome(folder: folder, result: result, warmProcessJobs: warmProcessJobs)
    }

    /// Runs `request` in a fresh sandbox that `stop` kills: a stopped job's result is what it
    /// printed until then (kept here, as the executor keeps it), with exit code 130.
    static func run(
        _ request: ExecutionRequest, on executor: any Executor, stop: StopSignal, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async throws(ExecutionError) -> ExecutionResult {
        let printed = Mutex(CapturedOutput(limit: request.limits.logBytes))
        let started = ContinuousClock.now
        let job = Task { () async -> Result<ExecutionResult, ExecutionError> in
            do throws(ExecutionError) {
                return .success(
                    try await executor.run(request) { kind, bytes in
                        _ = printed.withLock { $0.append(bytes, to: kind) }
                        output?(kind, bytes)
                    })
            } catch {
                return .failure(error)
            }
        }
        let stopping = stop.onStop { job.cancel() }
        defer { stopping.cancel() }
        let result = await withTaskCancellationHandler {
            await job.value
        } onCancel: {
            job.cancel()
        }
        switch result {
        case .success(let result):
            return result
        case .failure(.cancelled) where stop.isStopped && !Task.isCancelled:
            let collected = printed.withLock { $0 }
            try? FileManager.default.createDirectory(at: request.outputsDirectory, withIntermediateDirectories: true)
            return ExecutionResult(
                termination: .stopped, exitCode: 130, stdout: collected.stdout, stderr: collected.stderr,
                stdoutTruncated: collected.stdoutTruncated, stderrTruncated: collected.stderrTruncated, outputsDirectory: request.outputsDirectory,
                usage: ResourceUsage(wallTime: .now - started), warnings: ["the job was killed when its job creator asked it to stop"])
        case .failure(let error):
            throw error
        }
    }

    /// Unpacks a job's inputs archive (the tar the job creator posted) into `folder`, replacing what
    /// was there, with the safe unpacker; then makes it readable by the job's unprivileged uid
    /// (folders 0755, files 0644, or 0755 when executable).
    public static func unpackInputs(_ archive: [UInt8], into folder: URL) throws(Failure) {
        do {
            try FolderArchive.extractFresh(bytes: archive, into: folder)
            chmod(folder.path, 0o755)
            let root = folder.standardizedFileURL.path
            let entries = FileManager.default.enumerator(atPath: root)
            while let relative = entries?.nextObject() as? String {
                let path = root + "/" + relative
                var status = stat()
                guard lstat(path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: chmod(path, 0o755)
                case S_IFREG: chmod(path, status.st_mode & 0o111 != 0 ? 0o755 : 0o644)
                default: continue
                }
            }
        } catch {
            throw Failure("cannot unpack the job's input files into \(folder.path): \(error)")
        }
    }

    /// Writes a job's `stdout`, `stderr` and `exitCode` into its results folder (next to `outputs/`).
    public static func writeResults(_ result: ExecutionResult, to folder: URL) throws {
        try Data(result.stdout).write(to: folder.appendingPathComponent("stdout"))
        try Data(result.stderr).write(to: folder.appendingPathComponent("stderr"))
        try Data("\(result.exitCode)".utf8).write(to: folder.appendingPathComponent("exitCode"))
    }
}
