import Foundation
import LilypadCore
import LilypadCrypto
import LilypadExecution
import LilypadImages
import LilypadLedger
import LilypadLedgerService
import LilypadSolverService
import Logging

/// A resource provider: offers this machine's slots to the solver, runs the deals it wins in the
/// sandbox, publishes each results folder with its CID, and settles on the ledger.
///
/// Event-driven: it reacts to its solver events (`DealAdded`, the job creator's consent), never
/// to a tick. Each slot has one offer; a slot's offer is posted again as soon as its deal ends.
public actor ResourceProvider {
    /// Settings (Lilypad's `OFFER_*`, `PRICING_*` and service variables).
    public struct Configuration: Sendable {
        public var key: PrivateKey
        public var network: NetworkEndpoints
        public var home: LilypadHome
        /// Where results folders are written (`<dataDirectory>/<dealID>/`).
        public var dataDirectory: URL
        /// Jobs run at the same time; one resource offer each (`OFFER_COUNT`).
        public var slots: Int = 1
        /// What each slot offers.
        public var spec: MachineSpec
        public var pricing: DealPricing = .defaults
        /// Modules this provider runs (`OFFER_MODULES`, `name:ref` or repository URLs); nil: any.
        public var modules: [String]?
        public var allowNetwork = false
        /// Module processes kept running between jobs, for modules that declare `"warm": true`
        /// (`WARM_MODULES`, `WARM_IDLE_SECONDS`); `idleProcesses` 0 starts every job afresh. Only
        /// with the sandbox executor.
        public var warm = WarmModulePool.Settings()

        public init(key: PrivateKey, network: NetworkEndpoints, home: LilypadHome, dataDirectory: URL, spec: MachineSpec) {
            self.key = key
            self.network = network
            self.home = home
            self.dataDirectory = dataDirectory
            self.spec = spec
        }
    }

    public let configuration: Configuration
    let solver: SolverClient
    let settlement: Settlement
    let runner: ModuleRunner
    var logger: Logger
    private var running: [String: Task<Void, Never>] = [:]
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// The stop signal of each deal being served.
    private var stops: [String: StopSignal] = [:]
    /// The drain, once one has begun: no new offers are posted from then on.
    private var drained: Task<Void, Never>?
    private var draining: Bool { drained != nil }

    public init(configuration: Configuration, executor: any Executor, logger: Logger) {
        self.configuration = configuration
        self.solver = SolverClient(baseURL: configuration.network.solverURL, key: configuration.key)
        self.settlement = Settlement(ledger: LedgerClient(baseURL: configuration.network.ledgerURL), key: configuration.key)
        var runner = ModuleRunner(home: configuration.home, executor: executor)
        runner.allowNetwork = configuration.allowNetwork
        if configuration.warm.idleProcesses > 0, let sandbox = executor as? SandboxExecutor {
            runner.warm = WarmModulePool(
                executor: sandbox, directory: configuration.dataDirectory.appendingPathComponent("warm-processes"), settings: configuration.warm)
        }
        self.runner = runner
        self.logger = logger
    }

    var address: EthereumAddress { configuration.key.address }

    /// Escrow needed to hold a deal in every slot.
    var requiredEscrow: UInt256 {
        DealTerms.resourceProviderStake(configuration.pricing).multiplied(by: UInt64(configuration.slots)) ?? .max
    }

    /// Runs until cancelled: then withdraws its free offers and lets running jobs finish (drain).
    public func run() async throws {
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        try await retrying("fund escrow") { try await self.settlement.ensureEscrow(self.requiredEscrow) }
        let head = try await retrying("reach the solver") { try await self.solver.eventHead() }
        // Deals held before a restart are run again from the start (the job is the same), or
        // honestly reported failed; then every idle slot gets an offer.
        for deal in try await retrying("list deals", { try await self.solver.deals() }) where deal.resourceProvider.lowercased() == address.lowercased
        {
            if deal.state == .dealAgreed || deal.state == .uploading { start(deal) }
        }
        for slot in 0..<configuration.slots { await offer(slot: slot) }
        markOffered()
        logger.info(
            "resource provider ready",
            metadata: ["address": "\(address)", "slots": "\(configuration.slots)", "solver": "\(configuration.network.solverURL)"])
        let feed = SolverEventFeed(client: solver, logger: logger)
        await withTaskCancellationHandler {
            for await event in feed.events(after: head) { handle(event) }
        } onCancel: {
            Task { await self.drain() }
        }
        await drain()
    }

    /// Returns once the provider has posted its first offers (for callers that start it in-process).
    public func waitUntilOffered() async throws {
        while !offered {
            try Task.checkCancellation()
            await withCheckedContinuation { continuation in offeredWaiters.append(continuation) }
        }
    }

    private var offered = false
    private var offeredWaiters: [CheckedContinuation<Void, Never>] = []

    private func markOffered() {
        offered = true
        for waiter in offeredWaiters { waiter.resume() }
        offeredWaiters = []
    }

    /// Withdraws unmatched offers and waits for running deals. Every caller waits for the same drain
    /// (`run` returning before it was done let a stopping network shut the solver down first).
    func drain() async {
        if let drained { return await drained.value }
        // Not cancelled with the caller: the withdrawals must go out.
        let task = Task { await self.withdrawAndFinish() }
        drained = task
        await task.value
    }

    private func withdrawAndFinish() async {
        for (offer, matched) in postedOffers where !matched { _ = try? await solver.withdraw(resourceOffer: offer) }
        for task in running.values { await task.value }
        await runner.warm?.close()
        logger.info("resource provider drained")
    }

    /// The offers this process posted: offer ID → matched.
    private var postedOffers: [String: Bool] = [:]

    func handle(_ event: SolverEvent) {
        if let deal = event.deal, deal.resourceProvider.lowercased() == address.lowercased {
            if event.kind == .dealAdded { start(deal) }
            if event.kind == .dealStopRequested, let stop = stops[deal.id], !stop.isStopped {
                logger.with(deal: deal.id).info("the job creator asked the job to stop; ending it")
                stop.stop()
            }
            for waiter in waiters.removeValue(forKey: deal.id) ?? [] { waiter.resume() }
        }
        if let offer = event.resourceOffer, postedOffers[offer.id] != nil, offer.state != .dealNegotiating {
            postedOffers[offer.id] = true
        }
    }

    func start(_ deal: DealContainer) {
        guard running[deal.id] == nil else { return }
        // Registered before the job starts, so that a stop request arriving at any point reaches it.
        let stop = StopSignal()
        stops[deal.id] = stop
        running[deal.id] = Task {
            await self.serve(deal, stop: stop)
            await self.finished(deal)
        }
    }

    private func finished(_ deal: DealContainer) async {
        running[deal.id] = nil
        stops[deal.id] = nil
        if !draining { await offer(slot: deal.deal.resourceOffer.index) }
    }

    /// Posts the offer of `slot` (an offer still active from before is kept).
    func offer(slot: Int) async {
        guard !draining else { return }
        let offer = ResourceOffer(
            createdAt: Int(Date().timeIntervalSince1970 * 1000), resourceProvider: address.checksummed, index: slot, spec: configuration.spec,
            modules: configuration.modules, mode: .fixedPrice, defaultPricing: configuration.pricing,
            services: ServiceConfig(
                solver: configuration.network.solverAddress.checksummed, mediator: configuration.network.mediators.map(\.checksummed)))
        do {
            let posted = try await retrying("post the offer of slot \(slot)") { () async throws -> ResourceOfferContainer? in
                do { return try await self.solver.post(resourceOffer: offer) } catch {
                    if case .refused(let status, _)? = error as? SolverClient.Failure, status == 409 { return nil }  // still active from before
                    throw error
                }
            }
            if let posted { postedOffers[posted.id] = posted.state != .dealNegotiating }
        } catch {
            logger.error("cannot post a resource offer", metadata: ["slot": "\(slot)", "error": "\(error)"])
        }
    }

    // MARK: - Serving a deal

    /// Runs the job of `deal` and reports its outcome; `stop` ends the job early (its job creator
    /// asked: a `DealStopRequested` event, or the solver refusing the job's live output).
    func serve(_ deal: DealContainer, stop: StopSignal) async {
        let log = logger.with(deal: deal.id)
        log.info("deal agreed; running the job", metadata: ["module": "\(deal.deal.jobOffer.module.name)"])
        // Off the job's critical path: its input files are fetched while the provider consents.
        async let fetchedInputs = fetchInputs(dealID: deal.id)
        do {
            // Collateral returned by earlier deals goes to the balance: top the escrow up again.
            try await settlement.ensureEscrow(requiredEscrow)
            log.debug("escrow ready")
            let terms: DealTerms
            do { terms = try DealTerms(deal: deal.deal) } catch { throw Settlement.Failure(error.description) }
            var consent = DealTransactions.ResourceProvider()
            consent.agree = try await settlement.consent(to: terms)
            let update = consent
            let current = try await retrying("consent to the deal") { try await self.solver.post(resourceProvider: update, dealID: deal.id) }
            log.debug("consented to the deal")
            // The agreement goes to the ledger while the job starts; results wait for it (``awaitAgreement(_:)``).
            let settlement = self.settlement
            Task { _ = try? await settlement.agreeIfReady(current) }
        } catch {
            log.error("cannot consent to the deal", metadata: ["error": "\(error)"])
            return
        }
        let folder = configuration.dataDirectory.appendingPathComponent(deal.id)
        // The job's input files (Lilypad's `job-inputs/<dealID>`), outside the results folder.
        let inputs = configuration.dataDirectory.appendingPathComponent("job-inputs").appendingPathComponent(deal.id)
        defer { try? FileManager.default.removeItem(at: inputs) }
        let outcome: ModuleRunner.Outcome
        // The job's stdout goes to its job creator live (Anura streams tokens from it), as produced;
        // the solver refusing it because the job creator asked the job to stop ends the job early.
        let live = LiveOutputForwarder(client: solver, dealID: deal.id) {
            if !stop.isStopped { log.info("the job creator asked the job to stop; ending it") }
            stop.stop()
        }
        do throws(ModuleRunner.Failure) {
            let archive: [UInt8]?
            switch await fetchedInputs {
            case .success(let fetched): archive = fetched
            case .failure(let error): throw ModuleRunner.Failure("cannot fetch the job's input files: \(error)")
            }
            if let archive { try ModuleRunner.unpackInputs(archive, into: inputs) }
            log.debug("starting the job", metadata: ["input_files": "\(archive != nil)"])
            outcome = try await runner.run(
                offer: deal.deal.jobOffer, name: "deal-\(deal.id.suffix(12))", folder: folder, inputs: archive == nil ? nil : inputs, stop: stop
            ) { kind, bytes in
                if kind == .stdout { live.send(bytes) }
            }
            log.debug("the job ended")
            await live.finish()
        } catch {
            await live.finish()
            log.warning("the job could not run", metadata: ["error": "\(error)"])
            await reportFailure(deal, reason: error.description, log: log)
            return
        }
        do {
            let cid = try UnixFS.add(path: folder.path).cid.description
            let archive = try FolderArchive.archive(folder: folder)
            _ = try await retrying("upload the results") { try await self.solver.upload(results: archive, dealID: deal.id) }
            try await awaitAgreement(deal)
            try await settlement.ensureEscrow(requiredEscrow)
            let accepted = try await settlement.send(.addResult(dealID: deal.id, resultsID: cid, dataID: cid, instructionCount: 1))
            let result = JobResult(dealID: deal.id, dataID: cid, error: outcome.result.failureReason ?? "")
            _ = try await retrying("report the result") { try await self.solver.post(result: result, dealID: deal.id) }
            var update = DealTransactions.ResourceProvider()
            update.addResult = accepted.transactionHash
            _ = try? await solver.post(resourceProvider: update, dealID: deal.id)
            var metadata: Logger.Metadata = ["data_id": "\(cid)", "exit_code": "\(outcome.result.exitCode)"]
            if let jobs = outcome.warmProcessJobs { metadata["warm_process_jobs"] = "\(jobs)" }
            log.info("results submitted", metadata: metadata)
        } catch {
            log.error("cannot deliver the results", metadata: ["error": "\(error)"])
            await reportFailure(deal, reason: "the provider could not deliver the results: \(error)", log: log)
        }
    }

    /// The deal's input files (a tar), or `nil` when the job has none.
    private func fetchInputs(dealID: String) async -> Result<[UInt8]?, any Error> {
        do { return .success(try await retrying("fetch the input files") { try await self.solver.inputFiles(dealID: dealID) }) } catch {
            return .failure(error)
        }
    }

    /// Tells the ledger (refunding the job creator) and the solver (the job creator sees `reason`).
    private func reportFailure(_ deal: DealContainer, reason: String, log: Logger) async {
        if (try? await awaitAgreement(deal)) != nil {
            do { _ = try await settlement.send(.reportFailure(dealID: deal.id, reason: String(reason.prefix(500)))) } catch {
                log.error("cannot report the failure on the ledger", metadata: ["error": "\(error)"])
            }
        }
        do { _ = try await solver.post(result: JobResult(dealID: deal.id, error: reason), dealID: deal.id) } catch {
            log.error("cannot report the failure to the solver", metadata: ["error": "\(error)"])
        }
    }

    /// Waits (on events, up to a minute) until the deal is agreed on the ledger, submitting the
    /// agreement itself once the job creator's consent is there.
    private func awaitAgreement(_ deal: DealContainer) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let current = try await solver.deal(id: deal.id)
            if try await settlement.agreeIfReady(current) { return }
            guard !current.state.isTerminal else { throw Settlement.Failure("the deal ended (\(current.state.name)) before it was agreed") }
            await waitForEvent(on: deal.id, upTo: .seconds(5))
        }
        throw Settlement.Failure("the job creator did not consent to the deal's terms within a minute")
    }

    private func waitForEvent(on dealID: String, upTo limit: Duration) async {
        let timeout = Task {
            try? await Task.sleep(for: limit)
            self.wake(dealID)
        }
        await withCheckedContinuation { continuation in waiters[dealID, default: []].append(continuation) }
        timeout.cancel()
    }

    private func wake(_ dealID: String) {
        for waiter in waiters.removeValue(forKey: dealID) ?? [] { waiter.resume() }
    }

    /// Retries `body` while the solver or the ledger is unreachable (``retryingWhileUnreachable(_:logger:_:)``).
    func retrying<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await retryingWhileUnreachable(what, logger: logger, body)
    }
}

extension Logger {
    /// This logger with the deal's ID in every message.
    func with(deal id: String) -> Logger {
        var copy = self
        copy[metadataKey: "deal"] = "\(id)"
        return copy
    }
}
