import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadSolver
import LilypadSolverService
import Logging
import NIOCore

extension LilypadBenchmarks {
    /// Offers posted over HTTP to a solver running in this process (SQLite store with
    /// `synchronous=FULL`, signed requests verified, loopback so no rate limit): first job offers
    /// that wait, then resource offers that each match one of them. Requests are signed before the
    /// clock starts, so the figures are the server's (client and server share the cores).
    /// `LILYPAD_BENCH=solver-http` runs only this.
    static func solverHTTPBenchmark() async throws {
        let name = "solver HTTP"
        if let only = ProcessInfo.processInfo.environment["LILYPAD_BENCH"], !name.contains(only) { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lilypad-bench-solver-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let solverKey = try PrivateKey(hex: DevelopmentAccounts.solver.privateKey)
        let creator = try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)
        let provider = try PrivateKey(hex: DevelopmentAccounts.resourceProvider.privateKey)
        let mediator = DevelopmentAccounts.mediator.address
        var configuration = Solver.Configuration(address: solverKey.address)
        configuration.maximumWaitingJobOffers = 1_000_000
        configuration.timestampWindowMilliseconds = 600_000
        let store = try SolverStore(path: directory + "/solver.sqlite")
        let solver = try Solver(store: store, configuration: configuration)
        let port = Int.random(in: 40_000..<50_000)
        var logger = Logger(label: "bench.solver")
        logger.logLevel = .error
        var options = SolverServer.Options(verifier: RequestVerifier(windowSeconds: 600, store: store))
        options.port = port
        let app = SolverServer.application(
            solver: solver, files: try SolverFiles(root: directory + "/files"), options: options, logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        let url = "http://127.0.0.1:\(port)"
        for _ in 0..<400 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/api/v1/health"), timeout: .seconds(1)),
                response.status == .ok
            {
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }

        let count = 2_000
        let now = Int(Date().timeIntervalSince1970 * 1000)
        let services = ServiceConfig(solver: solverKey.address.checksummed, mediator: [mediator])
        func request(_ path: String, _ body: [UInt8], key: PrivateKey, nonce: String) -> HTTPClientRequest {
            var request = HTTPClientRequest(url: url + path)
            request.method = .POST
            let signed = SignedRequest.sign(method: "POST", target: path, audience: "127.0.0.1:\(port)", body: body, key: key, nonce: nonce)
            for (name, value) in signed.fields { request.headers.add(name: name, value: value) }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            return request
        }
        let jobs = try (0..<count).map { index in
            let offer = JobOffer(
                createdAt: now, nonce: "bench-\(index)", jobCreator: creator.address.checksummed,
                module: ModuleConfig(name: "cowsay:v0.0.4", repo: "https://github.com/Lilypad-Tech/lilypad-module-cowsay", hash: "v0.0.4"),
                spec: MachineSpec(cpu: 1000, ram: 100), inputs: ["Message": "\"hello\""], services: services)
            return request("/api/v1/job_offers", try GoJSONEncoder().encode(offer), key: creator, nonce: "bench-job-\(index)-0000000000")
        }
        let resources = try (0..<count).map { index in
            let offer = ResourceOffer(
                createdAt: now, resourceProvider: provider.address.checksummed, index: index, spec: MachineSpec(cpu: 2000, ram: 4096),
                services: services)
            return request("/api/v1/resource_offers", try GoJSONEncoder().encode(offer), key: provider, nonce: "bench-resource-\(index)-00000000")
        }

        for (label, requests) in [("job offers (wait)", jobs), ("resource offers (each matches)", resources)] {
            let (seconds, latencies, failures) = try await post(requests, concurrency: 16)
            func millis(_ q: Double) -> String {
                String(format: "%.1f", latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] * 1000)
            }
            print(
                "  \(name), \(label): \(requests.count) in \(String(format: "%.2f", seconds)) s, "
                    + "\(String(format: "%.0f", Double(requests.count) / seconds)) requests/s, 16 concurrent; "
                    + "latency p50 \(millis(0.5)) ms, p99 \(millis(0.99)) ms\(failures > 0 ? ", \(failures) FAILED" : "")")
        }
        let waiting = await solver.waitingJobOffers
        print("  \(name): \(count - waiting) deals made, \(waiting) job offers left waiting")
    }

    /// Posts `requests` with `concurrency` in flight; returns the elapsed seconds, sorted latencies and failures.
    static func post(_ requests: [HTTPClientRequest], concurrency: Int) async throws -> (Double, [Double], Int) {
        let clock = ContinuousClock()
        let start = clock.now
        var latencies: [Double] = []
        var failures = 0
        try await withThrowingTaskGroup(of: (Double, Bool).self) { group in
            var next = 0
            func launch() {
                let request = requests[next]
                next += 1
                group.addTask {
                    let sent = clock.now
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    let elapsed = clock.now - sent
                    return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, response.status == .ok)
                }
            }
            while next < min(concurrency, requests.count) { launch() }
            while let (latency, ok) = try await group.next() {
                latencies.append(latency)
                if !ok { failures += 1 }
                if next < requests.count { launch() }
            }
        }
        let elapsed = clock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, latencies.sorted(), failures)
    }
}
