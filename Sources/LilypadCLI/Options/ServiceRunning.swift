import Logging
import ServiceLifecycle

/// Runs `body` (and the `alongside` services) until it returns or SIGINT/SIGTERM arrives, then
/// cancels it and waits for it (its graceful shutdown, however long: a provider's drain lets its
/// running jobs finish).
func runUntilSignalled(
    logger: Logger, alongside services: [any Service] = [], _ body: @escaping @Sendable () async throws -> Void
) async throws {
    unblockTerminationSignals()
    let service = BodyService(body: body)
    var configuration = ServiceGroupConfiguration(
        services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
            + services.map { .init(service: $0) },
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = nil
    let group = ServiceGroup(configuration: configuration)
    try await group.run()
}

/// Runs an HTTP server (a Hummingbird application) until SIGINT/SIGTERM, then shuts it down
/// gracefully: no new connections, requests in flight answered — for at most `grace`, after
/// which what is left is cancelled. Without the bound, one client holding a keep-alive
/// connection open could keep a stopping server alive indefinitely (seen: a solver still
/// waiting minutes after SIGTERM).
func serveUntilSignalled(_ server: some Service, logger: Logger, grace: Duration = .seconds(10)) async throws {
    unblockTerminationSignals()
    var configuration = ServiceGroupConfiguration(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = grace
    try await ServiceGroup(configuration: configuration).run()
}

/// A long-running body as a service: a graceful shutdown cancels it.
struct BodyService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
    }
}
