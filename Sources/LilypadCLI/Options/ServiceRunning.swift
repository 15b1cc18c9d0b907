import Foundation
import LilypadCore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs `body` (and the `alongside` services) until it returns or SIGINT/SIGTERM arrives, then
/// cancels it and waits for it (its graceful shutdown, however long: a provider's drain lets its
/// running jobs finish).
func runUntilSignalled(
    logger: Logger, alongside services: [any Service] = [], _ body: @escaping @Sendable () async throws -> Void
) async throws {
    let service = BodyService(body: body)
    var configuration = ServiceGroupConfiguration(
        services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
            + services.map { .init(service: $0) },
        logger: logger)
    configuration.maximumGracefulShutdownDuration = nil
    try await runUntilSignalled(ServiceGroup(configuration: configuration), logger: logger)
}

/// Runs an HTTP server (a Hummingbird application) until SIGINT/SIGTERM, then shuts it down
/// gracefully: no new connections, requests in flight answered — for at most `grace`, after
/// which what is left is cancelled. Without the bound, one client holding a keep-alive
/// connection open could keep a stopping server alive indefinitely (seen: a solver still
/// waiting minutes after SIGTERM).
func serveUntilSignalled(_ server: some Service, logger: Logger, grace: Duration = .seconds(10)) async throws {
    var configuration = ServiceGroupConfiguration(services: [server], logger: logger)
    configuration.maximumGracefulShutdownDuration = grace
    try await runUntilSignalled(ServiceGroup(configuration: configuration), logger: logger, exitAfter: grace + .seconds(5))
}

/// Runs `group` until it ends; SIGINT or SIGTERM shuts it down gracefully (``TerminationSignals``,
/// not the group's own signal handling, which can lose a signal on Linux). With `exitAfter`, a
/// process whose group has not ended that long after the signal exits anyway, with status 1: a
/// server must not outlive its stop because one of its parts ignores cancellation.
func runUntilSignalled(_ group: ServiceGroup, logger: Logger, exitAfter limit: Duration? = nil) async throws {
    let signals = TerminationSignals.subscribe()
    let ended = EndFlag()
    defer { ended.set() }
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            for await signal in signals {
                logger.info("shutting down", metadata: ["signal": "\(signal == SIGINT ? "SIGINT" : "SIGTERM")"])
                await group.triggerGracefulShutdown()
                if let limit { ended.exitUnlessSet(after: limit, logger: logger) }
            }
        }
        do {
            try await group.run()
        } catch {
            tasks.cancelAll()
            throw error
        }
        tasks.cancelAll()
    }
}

/// Whether a service group has ended, and the last resort when it does not.
private final class EndFlag: Sendable {
    private let value = Atomic(false)
    private let armed = Atomic(false)

    func set() { value.store(true, ordering: .releasing) }

    /// Exits the process with status 1 unless the flag is set within `limit` (once; on a thread of
    /// its own, so that nothing the group waits for can hold it up).
    func exitUnlessSet(after limit: Duration, logger: Logger) {
        guard !armed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let thread = Thread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            guard !value.load(ordering: .acquiring) else { return }
            logger.error("still not stopped \(limit) after the signal; exiting")
            exit(1)
        }
        thread.start()
    }
}

/// A long-running body as a service: a graceful shutdown cancels it.
struct BodyService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
    }
}
