import ArgumentParser
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadSolver
import LilypadSolverService
import Logging

extension LilypadCommand {
    /// `lilypad solver`.
    struct SolverCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "solver",
            abstract: "Run a solver: the marketplace that matches job offers with resource offers.",
            discussion: """
                The solver's address is that of WEB3_PRIVATE_KEY; offers must name it. Requests must carry replay-proof \
                signatures (docs/protocol.md); --accept-legacy-headers also admits Lilypad v2 clients' static headers. \
                Defaults come from Lilypad's variables: SERVER_PORT, SERVER_OFFER_TIMESTAMP_DIFF_SECONDS, SERVER_MAX_JOB_OFFER_CAPACITY, \
                SERVER_RATE_REQUEST_LIMIT, SERVER_RATE_WINDOW_LENGTH.

                Rate limit: each client IP may make --rate-limit requests per --rate-window seconds to each path under /api/v1 \
                (Lilypad: 5 per 10 s), answered 429 with Retry-After beyond that. Clients on loopback (127.0.0.1, ::1) are exempt, \
                so a local network with any number of jobs is never throttled; --rate-limit-loopback limits them too, and \
                --rate-limit 0 turns the limit off. Behind a reverse proxy, --trust-proxy-headers takes the client's IP from \
                True-Client-IP, X-Real-IP or X-Forwarded-For (never trust them otherwise: any client could pick its own).

                GET /metrics serves Prometheus metrics. SIGTERM or SIGINT stops the solver gracefully: requests in flight are answered first.
                """
        )

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "Port to listen on (default: $SERVER_PORT or 8081).")
        var port: Int?

        @Option(help: "The solver database (default: $LILYPAD_HOME/solver/solver.sqlite).")
        var data: String?

        @Option(help: "Accepted clock skew of offers and requests, in seconds (default: $SERVER_OFFER_TIMESTAMP_DIFF_SECONDS or 30).")
        var timestampWindow: Int?

        @Option(help: "Waiting job offers above which new ones get 503 (default: $SERVER_MAX_JOB_OFFER_CAPACITY or 1000).")
        var maxWaitingJobOffers: Int?

        @Option(
            help:
                "A host[:port] clients use to reach this solver (repeatable), e.g. solver.example.com. Requests signed for any other host are refused."
        )
        var publicHost: [String] = []

        @Option(help: "Seconds a job offer may wait for a match (default: $TIMEOUT_MATCH_SECONDS or 30).")
        var timeoutMatch: Int?

        @Option(help: "Execution timeout of jobs that name none, in seconds (default: $TIMEOUT_EXECUTION_SECONDS or 900).")
        var timeoutExecution: Int?

        @Option(help: "Seconds a provider gets after the execution timeout to upload and report (default: 15).")
        var timeoutExecutionGrace: Int?

        @Option(help: "Seconds a job creator has to download results (default: $TIMEOUT_DOWNLOAD_SECONDS or 3600).")
        var timeoutDownload: Int?

        @Option(help: "Seconds a job offer may stay active in all (default: $TIMEOUT_TOTAL_SECONDS or 7200).")
        var timeoutTotal: Int?

        @Option(help: "Largest results archive accepted, in MiB (default: $SERVER_MAX_RESULT_SIZE_MB or 1024).")
        var maxResultSize: Int?

        @Option(help: "Largest job offer with input files accepted, in MiB (default: $SERVER_MAX_FILE_INPUTS_SIZE_MB or 10).")
        var maxInputSize: Int?

        @Flag(help: "Also accept Lilypad v2's static, replayable X-Lilypad-User/X-Lilypad-Signature headers.")
        var acceptLegacyHeaders = false

        @Option(help: "Requests per client IP and path in each window; 0 turns the limit off (default: $SERVER_RATE_REQUEST_LIMIT or 5).")
        var rateLimit: Int?

        @Option(help: "The rate limit's window in seconds (default: $SERVER_RATE_WINDOW_LENGTH or 10).")
        var rateWindow: Int?

        @Flag(help: "Rate-limit clients on loopback too (exempt by default, for local networks).")
        var rateLimitLoopback = false

        @Flag(help: "Behind a reverse proxy: take the client IP from True-Client-IP, X-Real-IP or X-Forwarded-For.")
        var trustProxyHeaders = false

        @OptionGroup var key: PrivateKeyOptions

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let solverKey = try key.load()
            let path = data ?? LilypadHome(environment: environment).path + "/solver/solver.sqlite"
            let window = timestampWindow ?? environment["SERVER_OFFER_TIMESTAMP_DIFF_SECONDS"].flatMap(Int.init) ?? 30
            var configuration = Solver.Configuration(address: solverKey.address)
            configuration.timestampWindowMilliseconds = window * 1000
            configuration.maximumWaitingJobOffers = maxWaitingJobOffers ?? environment["SERVER_MAX_JOB_OFFER_CAPACITY"].flatMap(Int.init) ?? 1000
            func seconds(_ flag: Int?, _ variable: String, _ fallback: Int) -> Int { flag ?? environment[variable].flatMap(Int.init) ?? fallback }
            configuration.timeouts.matchSeconds = seconds(timeoutMatch, "TIMEOUT_MATCH_SECONDS", 30)
            configuration.timeouts.executionSeconds = seconds(timeoutExecution, "TIMEOUT_EXECUTION_SECONDS", 900)
            configuration.timeouts.executionGraceSeconds = seconds(timeoutExecutionGrace, "TIMEOUT_EXECUTION_GRACE_SECONDS", 15)
            configuration.timeouts.downloadSeconds = seconds(timeoutDownload, "TIMEOUT_DOWNLOAD_SECONDS", 3600)
            configuration.timeouts.totalSeconds = seconds(timeoutTotal, "TIMEOUT_TOTAL_SECONDS", 7200)
            let store = try SolverStore(path: path)
            let solver = try Solver(store: store, configuration: configuration)
            await solver.start()
            let folder = (path as NSString).deletingLastPathComponent
            let files = try SolverFiles(
                root: folder + "/files", maximumResultBytes: seconds(maxResultSize, "SERVER_MAX_RESULT_SIZE_MB", 1024) << 20,
                maximumInputBytes: seconds(maxInputSize, "SERVER_MAX_FILE_INPUTS_SIZE_MB", 10) << 20)
            let logger = Logger.command("lilypad.solver", environment: environment)
            let port = self.port ?? environment["SERVER_PORT"].flatMap(Int.init) ?? 8081
            logger.info("solver ready", metadata: ["address": "\(solverKey.address)", "port": "\(port)", "data": "\(path)"])
            // Only requests signed for this solver: a request signed for another service cannot be replayed here;
            // accepted nonces are kept in the solver's database, so none can be replayed after a restart either.
            let audiences = Set(["\(host):\(port)", "127.0.0.1:\(port)", "localhost:\(port)"] + publicHost)
            var options = SolverServer.Options(verifier: RequestVerifier(windowSeconds: Int64(window), audiences: audiences, store: store))
            options.acceptLegacyHeaders = acceptLegacyHeaders
            options.host = host
            options.port = port
            options.rateLimit = try rateLimitSetting(environment: environment)
            let app = SolverServer.application(solver: solver, files: files, options: options, logger: logger)
            try await serveUntilSignalled(app, logger: logger)
            logger.info("solver stopped")
        }

        /// The rate limit from the options, then Lilypad's variables, then Lilypad's defaults.
        func rateLimitSetting(environment: [String: String]) throws -> RateLimit {
            var limit: RateLimit
            do { limit = try RateLimit(environment: environment) } catch { throw CLIError(error.description) }
            if let rateLimit {
                guard rateLimit >= 0 else { throw CLIError("--rate-limit \(rateLimit): expected 0 (off) or more requests") }
                limit.requests = rateLimit
            }
            if let rateWindow {
                guard rateWindow > 0 else { throw CLIError("--rate-window \(rateWindow): expected a number of seconds above 0") }
                limit.windowSeconds = rateWindow
            }
            limit.limitLoopback = rateLimitLoopback
            limit.trustProxyHeaders = trustProxyHeaders
            return limit
        }
    }
}
