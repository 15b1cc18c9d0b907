import Foundation
import LilypadExecution

/// The module processes a provider keeps running between jobs (modules that declare
/// `"warm": true`), so that a chat job costs the model's time and not its load time.
///
/// A process serves one job at a time and only jobs of its own module, commit, image and shape
/// (everything but the job's environment); a busy module gets a second process. Idle processes
/// are stopped after ``Settings/idleTimeout``, and beyond ``Settings/idleProcesses`` the one idle
/// the longest makes room. A process that dies (a crash, its memory limit, a job's timeout) is
/// dropped and the next job starts a fresh one.
public actor WarmModulePool {
    /// How many processes to keep and for how long.
    public struct Settings: Sendable {
        /// The most idle processes kept (each holds its module's memory); 0 keeps none.
        public var idleProcesses: Int
        /// How long an idle process is kept.
        public var idleTimeout: Duration
        /// The longest a process lives, idle or not (it is then restarted for the next job).
        public var lifetime: Duration

        public init(idleProcesses: Int = 2, idleTimeout: Duration = .seconds(600), lifetime: Duration = .seconds(24 * 3600)) {
            self.idleProcesses = idleProcesses
            self.idleTimeout = idleTimeout
            self.lifetime = lifetime
        }
    }

    private struct Idle {
        var id: UUID
        var process: WarmProcess
        var since: ContinuousClock.Instant
        var expiry: Task<Void, Never>
    }

    public let settings: Settings
    let executor: SandboxExecutor
    /// Where each process's `/outputs` ends up when it stops (per-process folders, removed with it).
    let directory: URL
    private var idle: [String: [Idle]] = [:]
    private var closed = false

    public init(executor: SandboxExecutor, directory: URL, settings: Settings = Settings()) {
        self.executor = executor
        self.directory = directory
        self.settings = settings
    }

    /// How many processes are idle now.
    public var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// Runs the job of `request` in an idle process started for the same module, commit, image and
    /// shape, or in a new one; keeps the process for the next job if it is still running.
    ///
    /// A process starts with the image's environment (and `LILYPAD_WARM=1`) only; each job's
    /// module environment travels with the job. Returns the job's result and how many jobs the
    /// process has run, this one included.
    /// A job asked to stop (`stop`) ends early and its process is kept if it ended the job in time.
    func run(
        _ request: ExecutionRequest, module: String, stop: StopSignal? = nil, output: (@Sendable (OutputStreamKind, [UInt8]) -> Void)?
    ) async throws(ExecutionError) -> (result: ExecutionResult, processJobs: Int) {
        var shape = request
        shape.environment = []
        shape.name = "warm-" + UUID().uuidString.prefix(8).lowercased()
        shape.limits.timeout = settings.lifetime
        shape.outputsDirectory = directory.appendingPathComponent("process-\(UUID().uuidString)")
        let key = Self.key(request, module: module)
        let process = try await checkOut(key: key, request: shape)
        let job = WarmProcess.Job(
            name: request.name, environment: request.environment, outputsDirectory: request.outputsDirectory, timeout: request.limits.timeout,
            logBytes: request.limits.logBytes)
        do throws(ExecutionError) {
            let result = try await process.run(job, stop: stop, output: output)
            await checkIn(key: key, process: process)
            return (result, process.jobCount)
        } catch {
            await discard(process)
            throw error
        }
    }

    /// What jobs sharing a process have in common: everything but their environment, outputs and timeout.
    static func key(_ request: ExecutionRequest, module: String) -> String {
        var limits = request.limits
        limits.timeout = .zero
        let parts: [String] = [
            module, request.image.digest?.description ?? request.image.rootfs.path, String(describing: request.entrypoint),
            String(describing: request.command), request.workingDirectory ?? "", request.user ?? "", String(describing: limits),
            request.network.rawValue, request.gpus.map(\.uuid).joined(separator: ","),
        ]
        return parts.joined(separator: "\u{1F}")
    }

    /// Stops every idle process and keeps no more (the provider is stopping).
    public func close() async {
        closed = true
        let all = idle.values.flatMap { $0 }
        idle = [:]
        for entry in all {
            entry.expiry.cancel()
            await discard(entry.process)
        }
    }

    private func checkOut(key: String, request: ExecutionRequest) async throws(ExecutionError) -> WarmProcess {
        while let process = takeIdle(key: key, where: { _ in true }) {
            if process.isRunning { return process }
            await discard(process)
        }
        return try await WarmProcess.start(request, executor: executor)
    }

    private func checkIn(key: String, process: WarmProcess) async {
        guard !closed, settings.idleProcesses > 0, process.isRunning else {
            await discard(process)
            return
        }
        let id = UUID()
        let timeout = settings.idleTimeout
        let expiry = Task { [weak self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            await self?.expire(key: key, id: id)
        }
        idle[key, default: []].append(Idle(id: id, process: process, since: .now, expiry: expiry))
        // Over the cap: the process idle the longest makes room.
        while idleCount > settings.idleProcesses,
            let oldest = idle.flatMap({ key, entries in entries.map { (key, $0) } }).min(by: { $0.1.since < $1.1.since }),
            let process = takeIdle(key: oldest.0, where: { $0.id == oldest.1.id })
        {
            await discard(process)
        }
    }

    private func expire(key: String, id: UUID) async {
        guard let process = takeIdle(key: key, where: { $0.id == id }) else { return }
        await discard(process)
    }

    /// Takes the most recent idle process for `key` that `match` accepts out of the pool.
    private func takeIdle(key: String, where match: (Idle) -> Bool) -> WarmProcess? {
        guard let index = idle[key]?.lastIndex(where: match), let entry = idle[key]?.remove(at: index) else { return nil }
        if idle[key]?.isEmpty == true { idle[key] = nil }
        entry.expiry.cancel()
        return entry.process
    }

    private func discard(_ process: WarmProcess) async {
        await process.stopAndWait()
        try? FileManager.default.removeItem(at: process.request.outputsDirectory)
    }
}
