import Foundation
import LilypadCore
import LilypadCrypto
import LilypadImages
import LilypadLedger
import LilypadLedgerService
import LilypadModules
import LilypadSolverService
import Logging
import Synchronization

/// A job creator: runs one job on the network, from module to verified results (`lilypad run`).
///
/// It renders the module to learn what the job needs, escrows the payment, posts the offer,
/// consents to the deal's ledger terms, downloads the results into
/// `<downloads>/<dealID>/`, verifies them against their CID, and accepts them (or asks for
/// mediation). Every state change reaches the caller through `progress`.
public struct JobCreator: Sendable {
    /// What to run and on what terms.
    public struct Job: Sendable {
        /// The module reference (`cowsay:v0.0.4`, a repository URL with `:ref`, …).
        public var module: String
        public var inputs: [String: String]
        /// Send the job to this provider only (Lilypad's `--target`).
        public var target: EthereumAddress?
        public var mode: PricingMode = .marketPrice
        public var pricing: DealPricing = .defaults
        /// Overrides the module's execution timeout, in seconds.
        public var timeoutSeconds: UInt64?
        /// Ask a mediator to re-run the job and check the results instead of accepting them.
        public var check = false
        /// A folder whose files the job sees read-only at `/inputs` (Lilypad's `--inputs-path`).
        public var inputsPath: URL?

        public init(module: String, inputs: [String: String]) {
            self.module = module
            self.inputs = inputs
        }
    }

    /// What the caller is told as the job moves.
    public enum Progress: Sendable {
        case submitting
        case offerPosted(id: String)
        case state(AgreementState, dealID: String)
        case downloading(dealID: String)
    }

    /// The finished job.
    public struct Outcome: Sendable {
        public var dealID: String
        public var dataID: String
        /// `<downloads>/<dealID>`, holding `stdout`, `stderr`, `exitCode` and `outputs/`.
        public var folder: URL
        /// The job's exit code, from the results.
        public var exitCode: Int32
        /// The provider's account of a failed job ("" when it succeeded).
        public var error: String
        /// The mediator's ruling when the results were checked.
        public var mediation: AgreementState?
    }

    /// Why the job did not complete; the text says what to do.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public var dealID: String?
        public init(_ description: String, dealID: String? = nil) {
            self.description = description
            self.dealID = dealID
        }
    }

    public let key: PrivateKey
    public let network: NetworkEndpoints
    public let home: LilypadHome
    /// Where results folders go (`$DATA_DIR/downloaded-files`).
    public let downloads: URL
    public var logger: Logger
    /// How long a module reference (a tag, say) stays resolved to the commit and template it
    /// named, for jobs of this process; zero (`lilypad run`) resolves it for every job. A service
    /// running many jobs of one module (Anura) saves a `git fetch` per job.
    public var moduleReuse: Duration = .zero
    /// When escrow must be topped up, how many jobs' stake to deposit at once (at least 1). A
    /// service running many jobs (Anura) deposits every so often instead of before every job; the
    /// deposit stays the account's (withdrawable from escrow).
    public var escrowJobs: UInt64 = 1

    public init(key: PrivateKey, network: NetworkEndpoints, home: LilypadHome, downloads: URL, logger: Logger) {
        self.key = key
        self.network = network
        self.home = home
        self.downloads = downloads
        self.logger = logger
    }

    /// Runs `job` to completion.
    ///
    /// Cancelling the task withdraws the offer if it is not matched yet; once matched, it asks the
    /// deal's job to stop (``SolverClient/stop(dealID:)``) and the deal is still settled in the
    /// background: the provider submits what the job produced and is paid, as for any result. The
    /// cancelled call returns when that is done.
    public func run(_ job: Job, progress: @escaping @Sendable (Progress) -> Void) async throws(Failure) -> Outcome {
        progress(.submitting)
        // Fetching the module runs git and archiving the inputs reads a folder: off the threads tasks run on.
        let (offer, inputs) = try await offloadBlocking { [self] () throws(Failure) -> (JobOffer, [UInt8]?) in
            (try prepare(job), try job.inputsPath.map { folder throws(Failure) in try Self.archive(inputs: folder) })
        }
        let solver = SolverClient(baseURL: network.solverURL, key: key)
        let settlement = Settlement(ledger: LedgerClient(baseURL: network.ledgerURL), key: key)
        let stake = DealTerms.jobCreatorStake(offer.pricing, mediation: job.check)
        do { try await settlement.ensureEscrow(stake, target: stake.multiplied(by: max(1, escrowJobs))) } catch {
            throw Failure(error.description)
        }
        let head: Int
        let posted: JobOfferContainer
        do {
            head = try await solver.eventHead()
            if let inputs { posted = try await solver.post(jobOffer: offer, inputs: inputs) } else { posted = try await solver.post(jobOffer: offer) }
        } catch {
            throw Failure("the solver refused the job: \(error)")
        }
        progress(.offerPosted(id: posted.id))
        let dealID = OnceBox<String>()
        let tracked: @Sendable (Progress) -> Void = { update in
            if case .state(_, let id) = update, !id.isEmpty { dealID.set(id) }
            progress(update)
        }
        let session = Session(solver: solver, settlement: settlement, job: job, offerID: posted.id, downloads: downloads, progress: tracked)
        // Not a child task: a caller that goes away must not leave a deal half-settled.
        let following = Task { () async -> Result<Outcome, Failure> in
            do throws(Failure) { return .success(try await session.follow(from: head, initial: posted)) } catch { return .failure(error) }
        }
        let outcome = await withTaskCancellationHandler {
            await following.value
        } onCancel: {
            Task {
                var id = dealID.value ?? ""
                if id.isEmpty {
                    if (try? await solver.withdraw(jobOffer: posted.id)) != nil { return }
                    // Matched meanwhile.
                    id = (try? await solver.jobOffer(id: posted.id))?.dealID ?? ""
                }
                if !id.isEmpty { try? await solver.stop(dealID: id) }
                // The deal ends on the solver's own deadlines; one that is never heard of again is let go.
                try? await Task.sleep(for: .seconds(900))
                following.cancel()
            }
        }
        return try outcome.get()
    }

    /// The tar of the inputs folder `folder`.
    static func archive(inputs folder: URL) throws(Failure) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure("the inputs path \(folder.path) is not a folder: give a folder whose files the job should see at /inputs")
        }
        do { return try FolderArchive.archive(folder: folder) } catch { throw Failure("cannot read the inputs folder \(folder.path): \(error)") }
    }

    /// Modules resolved recently (home and reference → when, what), for ``moduleReuse``.
    private static let resolved = Mutex<[String: (at: ContinuousClock.Instant, module: LoadedModule)]>([:])

    func load(_ reference: String) throws -> LoadedModule {
        let key = home.path + "\u{1F}" + reference
        if moduleReuse > .zero, let recent = Self.resolved.withLock({ $0[key] }), ContinuousClock.now - recent.at < moduleReuse {
            return recent.module
        }
        let loaded = try ModuleLoader(home: home).load(try ModuleReference(parsing: reference))
        if moduleReuse > .zero { Self.resolved.withLock { $0[key] = (.now, loaded) } }
        return loaded
    }

    /// The job offer for `job`: the module is fetched and rendered here to learn its needs.
    func prepare(_ job: Job) throws(Failure) -> JobOffer {
        let spec: ModuleSpec
        let config: ModuleConfig
        do {
            let loaded = try load(job.module)
            spec = try ModuleRenderer.render(loaded, inputs: job.inputs).spec
            config = ModuleConfig(name: job.module, repo: loaded.config.repo, hash: loaded.config.hash, path: loaded.config.path)
        } catch {
            throw Failure("cannot prepare module \(job.module): \(error)")
        }
        return JobOffer(
            createdAt: Int(Date().timeIntervalSince1970 * 1000), nonce: Hex.encode(SecureRandom.bytes(count: 12)),
            jobCreator: key.address.checksummed, module: config, spec: spec.machine, inputs: job.inputs, inputFiles: spec.inputFiles,
            executionTimeoutSeconds: job.timeoutSeconds ?? spec.timeoutSeconds ?? 0, mode: job.mode, pricing: job.pricing,
            services: ServiceConfig(solver: network.solverAddress.checksummed, mediator: network.mediators.map(\.checksummed)),
            target: TargetConfig(address: job.target?.checksummed ?? ""))
    }
}

/// One job's conversation with the solver and the ledger, driven by its events.
private struct Session: Sendable {
    let solver: SolverClient
    let settlement: Settlement
    let job: JobCreator.Job
    let offerID: String
    let downloads: URL
    let progress: @Sendable (JobCreator.Progress) -> Void

    func follow(from head: Int, initial: JobOfferContainer) async throws(JobCreator.Failure) -> JobCreator.Outcome {
        var dealID = initial.dealID
        var lastState = initial.state
        var consented = false
        var agreed = false
        progress(.state(.dealNegotiating, dealID: ""))
        if initial.state != .dealNegotiating { progress(.state(initial.state, dealID: dealID)) }
        let feed = SolverEventFeed(client: solver, logger: Logger(label: "lilypad.run"))
        // The offer may have matched before the feed started: look once, then follow events.
        var pending: [SolverEvent] = []
        if !dealID.isEmpty, let deal = try? await solver.deal(id: dealID) { pending.append(SolverEvent(kind: .dealStateUpdated, deal: deal)) }
        var iterator = feed.events(after: head).makeAsyncIterator()
        while true {
            let event: SolverEvent
            if !pending.isEmpty {
                event = pending.removeFirst()
            } else if let next = await iterator.next() {
                event = next
            } else {
                throw JobCreator.Failure("interrupted", dealID: dealID.isEmpty ? nil : dealID)
            }
            if let offer = event.jobOffer, offer.id == offerID {
                if dealID.isEmpty, !offer.dealID.isEmpty { dealID = offer.dealID }
                // Replayed events can be older than what the post returned: only moves forward count.
                if offer.dealID.isEmpty, offer.state != lastState, offer.state != .dealNegotiating {
                    lastState = offer.state
                    progress(.state(offer.state, dealID: ""))
                    if offer.state.isTerminal { throw Self.failure(for: offer.state, dealID: nil) }
                }
            }
            guard var deal = event.deal, deal.jobOffer == offerID else { continue }
            dealID = deal.id
            if !consented {
                consented = true
                do {
                    var update = DealTransactions.JobCreator()
                    update.agree = try await settlement.consent(to: try DealTerms(deal: deal.deal))
                    // A solver restarting just then must not fail the job.
                    let (consent, id) = (update, deal.id)
                    deal = try await retryingWhileUnreachable("consent to the deal", logger: Logger(label: "lilypad.run")) {
                        try await solver.post(jobCreator: consent, dealID: id)
                    }
                } catch {
                    throw JobCreator.Failure("cannot consent to the deal: \(error)", dealID: dealID)
                }
            }
            if !agreed { agreed = (try? await settlement.agreeIfReady(deal)) ?? false }
            // Events replayed from before the post can be older than what is known: never go back.
            guard Self.rank(deal.state) >= Self.rank(lastState) else { continue }
            if deal.state != lastState {
                lastState = deal.state
                progress(.state(deal.state, dealID: deal.id))
            }
            switch deal.state {
            case .resultsSubmitted, .downloading:
                return try await collect(deal)
            case .mediationAccepted, .mediationRejected:
                return try await finishMediation(deal)
            case .timeoutExecution:
                // The provider did not deliver: claim the refund and its timeout collateral.
                _ = try? await settlement.send(.timeoutSubmitResults(dealID: deal.id), patience: 60)
                throw Self.failure(for: deal.state, dealID: deal.id)
            case let state where state.isTerminal:
                throw Self.failure(for: state, dealID: deal.id)
            default:
                continue
            }
        }
    }

    /// Downloads and verifies the results, then accepts them (or asks for mediation).
    func collect(_ deal: DealContainer) async throws(JobCreator.Failure) -> JobCreator.Outcome {
        let result: JobResult
        do { result = try await solver.result(dealID: deal.id) } catch {
            throw JobCreator.Failure("cannot read the result: \(error)", dealID: deal.id)
        }
        guard !result.dataID.isEmpty else {
            throw JobCreator.Failure("the job failed on the provider: \(result.error)", dealID: deal.id)
        }
        progress(.downloading(dealID: deal.id))
        let folder = downloads.appendingPathComponent(deal.id)
        let verified: Bool
        do { verified = try await download(deal.id, into: folder, expecting: result.dataID) } catch let failure as JobCreator.Failure {
            throw failure
        } catch {
            throw JobCreator.Failure("cannot download the results: \(error)", dealID: deal.id)
        }
        if job.check || !verified {
            // Results that do not match their CID are disputed whatever was asked.
            do {
                let checked = try await settlement.send(.checkResult(dealID: deal.id))
                var update = DealTransactions.JobCreator()
                update.checkResult = checked.transactionHash
                let updated = try await solver.post(jobCreator: update, dealID: deal.id)
                progress(.state(updated.state, dealID: deal.id))
            } catch {
                throw JobCreator.Failure("cannot ask for mediation: \(error)", dealID: deal.id)
            }
            return try await awaitRuling(deal.id, folder: folder, result: result)
        }
        do {
            let accepted = try await settlement.send(.acceptResult(dealID: deal.id))
            var update = DealTransactions.JobCreator()
            update.acceptResult = accepted.transactionHash
            let updated = try await solver.post(jobCreator: update, dealID: deal.id)
            progress(.state(updated.state, dealID: deal.id))
        } catch {
            throw JobCreator.Failure("cannot accept the results: \(error)", dealID: deal.id)
        }
        return outcome(deal.id, folder: folder, result: result, mediation: nil)
    }

    /// Downloads the archive, unpacks it into a fresh `folder`; true if it matches `dataID`.
    func download(_ dealID: String, into folder: URL, expecting dataID: String) async throws -> Bool {
        let archive = try await solver.downloadResults(dealID: dealID)
        try FolderArchive.extractFresh(bytes: archive, into: folder)
        return try UnixFS.add(path: folder.path).cid.description == dataID
    }

    func awaitRuling(_ dealID: String, folder: URL, result: JobResult) async throws(JobCreator.Failure) -> JobCreator.Outcome {
        let feed = SolverEventFeed(client: solver, logger: Logger(label: "lilypad.run"))
        let head = (try? await solver.eventHead()) ?? 0
        if let deal = try? await solver.deal(id: dealID), deal.state == .mediationAccepted || deal.state == .mediationRejected {
            return try await finishMediation(deal)
        }
        for await event in feed.events(after: head) {
            guard let deal = event.deal, deal.id == dealID else { continue }
            if deal.state == .mediationAccepted || deal.state == .mediationRejected { return try await finishMediation(deal) }
            if deal.state.isTerminal { throw Self.failure(for: deal.state, dealID: dealID) }
        }
        throw JobCreator.Failure("interrupted while waiting for the mediator", dealID: dealID)
    }

    func finishMediation(_ deal: DealContainer) async throws(JobCreator.Failure) -> JobCreator.Outcome {
        progress(.state(deal.state, dealID: deal.id))
        let result = (try? await solver.result(dealID: deal.id)) ?? JobResult(dealID: deal.id)
        return outcome(deal.id, folder: downloads.appendingPathComponent(deal.id), result: result, mediation: deal.state)
    }

    func outcome(_ dealID: String, folder: URL, result: JobResult, mediation: AgreementState?) -> JobCreator.Outcome {
        let code =
            (try? String(contentsOf: folder.appendingPathComponent("exitCode"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? -1
        return JobCreator.Outcome(dealID: dealID, dataID: result.dataID, folder: folder, exitCode: code, error: result.error, mediation: mediation)
    }

    /// How far along the lifecycle a state is.
    static func rank(_ state: AgreementState) -> Int {
        switch state {
        case .dealNegotiating: 0
        case .dealAgreed: 1
        case .uploading: 2
        case .resultsSubmitted: 3
        case .downloading: 4
        case .resultsChecked: 5
        default: 6
        }
    }

    static func failure(for state: AgreementState, dealID: String?) -> JobCreator.Failure {
        let text: String
        switch state {
        case .timeoutMatch:
            text = "no resource provider took the job in time (TimeoutMatch): check that a provider with enough CPU, RAM and GPU is online"
        case .timeoutExecution:
            text = "the provider did not deliver results in time (TimeoutExecution); your payment was refunded with the provider's timeout collateral"
        case .timeoutDownload: text = "the results were not downloaded in time (TimeoutDownload)"
        case .jobTimedOut: text = "the job timed out (JobTimedOut)"
        case .jobOfferCancelled:
            text = "the job offer was cancelled (JobOfferCancelled): it was withdrawn, or the provider it targets has no free offer"
        default: text = "the job ended in state \(state.name)"
        }
        return JobCreator.Failure(text, dealID: dealID)
    }
}
