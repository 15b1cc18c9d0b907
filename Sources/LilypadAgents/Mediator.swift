import Foundation
import LilypadCore
import LilypadCrypto
import LilypadExecution
import LilypadImages
import LilypadLedger
import LilypadLedgerService
import LilypadSolverService
import Logging

/// Decides whether a provider's results and a mediator's re-run of the same job agree.
public protocol ResultComparator: Sendable {
    /// A short name for logs.
    var name: String { get }
    /// True if `rerun` (a folder) confirms results with CID `claimed`, of which `original` is the provider's folder.
    func agrees(claimed: String, original: URL, rerun: URL) throws -> Bool
}

/// Deterministic jobs: the re-run's results folder must have exactly the claimed CID.
public struct ExactCIDComparator: ResultComparator {
    public var name: String { "exact-cid" }
    public init() {}
    public func agrees(claimed: String, original: URL, rerun: URL) throws -> Bool {
        try UnixFS.add(path: rerun.path).cid.description == claimed
    }
}

/// A mediator: re-runs checked deals' jobs from the same module commit and inputs, compares the
/// results, and records its ruling on the ledger and the solver.
public actor Mediator {
    public let key: PrivateKey
    public let network: NetworkEndpoints
    let solver: SolverClient
    let ledger: LedgerClient
    let settlement: Settlement
    let runner: ModuleRunner
    let comparator: any ResultComparator
    let dataDirectory: URL
    var logger: Logger
    private var handled: Set<String> = []

    public init(
        key: PrivateKey, network: NetworkEndpoints, home: LilypadHome, dataDirectory: URL, executor: any Executor,
        comparator: any ResultComparator = ExactCIDComparator(), logger: Logger
    ) {
        self.key = key
        self.network = network
        self.solver = SolverClient(baseURL: network.solverURL, key: key)
        self.ledger = LedgerClient(baseURL: network.ledgerURL)
        self.settlement = Settlement(ledger: ledger, key: key)
        self.runner = ModuleRunner(home: home, executor: executor)
        self.comparator = comparator
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    /// Follows the solver's events from the beginning (a checked deal missed while down is found
    /// again) until cancelled.
    public func run() async {
        logger.info("mediator ready", metadata: ["address": "\(key.address)", "comparator": "\(comparator.name)"])
        for await event in SolverEventFeed(client: solver, logger: logger).events(after: 0) {
            guard let deal = event.deal, deal.state == .resultsChecked, !handled.contains(deal.id) else { continue }
            handled.insert(deal.id)
            Task { await self.mediate(deal) }
        }
    }

    /// Rules on one checked deal if this mediator was drawn for it on the ledger.
    func mediate(_ deal: DealContainer) async {
        let log = logger.with(deal: deal.id)
        guard let record = try? await ledger.deal(deal.id), record.state == .resultsChecked, record.mediator == key.address else { return }
        log.info("re-running a checked job", metadata: ["module": "\(deal.deal.jobOffer.module.name)"])
        let folder = dataDirectory.appendingPathComponent(deal.id)
        let rerun = folder.appendingPathComponent("rerun"), original = folder.appendingPathComponent("original")
        var agrees = false
        do {
            let result = try await solver.result(dealID: deal.id)
            let archive = try await solver.downloadResults(dealID: deal.id)
            try FolderArchive.extractFresh(bytes: archive, into: original)
            // The job's input files, if it has any, as the provider had them.
            let inputs = folder.appendingPathComponent("inputs")
            let inputsArchive = try await solver.inputFiles(dealID: deal.id)
            if let inputsArchive { try ModuleRunner.unpackInputs(inputsArchive, into: inputs) }
            _ = try await runner.run(
                offer: deal.deal.jobOffer, name: "mediate-\(deal.id.suffix(12))", folder: rerun, inputs: inputsArchive == nil ? nil : inputs)
            agrees = try comparator.agrees(claimed: result.dataID, original: original, rerun: rerun)
        } catch {
            // A job that cannot be re-run here cannot confirm the provider's results.
            log.warning("the re-run failed", metadata: ["error": "\(error)"])
        }
        do {
            let ruling = try await settlement.send(agrees ? .mediationAcceptResult(dealID: deal.id) : .mediationRejectResult(dealID: deal.id))
            var update = DealTransactions.Mediator()
            if agrees { update.mediationAcceptResult = ruling.transactionHash } else { update.mediationRejectResult = ruling.transactionHash }
            _ = try await solver.post(mediator: update, dealID: deal.id)
            log.info("ruled", metadata: ["accepted": "\(agrees)"])
        } catch {
            log.error("cannot record the ruling", metadata: ["error": "\(error)"])
        }
    }
}
