import ArgumentParser
import Foundation
import LilypadAgents
import LilypadCore
import LilypadCrypto
import LilypadModules
import LilypadSolverService
import Logging

extension LilypadCommand {
    /// `lilypad run MODULE [-i k=v ...]`: one job on the network, to its results.
    struct RunCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a module as a job on the network and download its results.",
            discussion: """
                Example: lilypad run cowsay:v0.0.4 -i Message="hello"

                With no network given, the job runs on the local network: the one `lilypad devnet` runs, or, if none is \
                running, one started inside this command for the job. Results go to \
                $DATA_DIR/downloaded-files/<dealID>/ (stdout, stderr, exitCode, outputs/), verified against their CID. \
                The key is WEB3_PRIVATE_KEY (on the local network: the funded development job creator by default).
                """
        )

        @Argument(help: "The module: NAME:REF, HOST/OWNER/REPO:REF, or GIT-URL:REF.")
        var module: String

        @Option(name: [.customShort("i"), .customLong("input")], help: "An input, KEY=VALUE (repeatable).")
        var inputs: [String] = []

        @Option(name: [.customShort("t"), .customLong("target")], help: "Send the job to this resource provider only.")
        var target: String?

        @Option(help: "MarketPrice (the cheapest offer) or FixedPrice (the oldest offer at your price).")
        var pricingMode = "MarketPrice"

        @Option(help: "The price you offer, in LP (default: $PRICING_INSTRUCTION_PRICE or 1).")
        var pricingInstructionPrice: UInt64?

        @Option(help: "Payment collateral, in LP (default: $PRICING_PAYMENT_COLLATERAL or 2).")
        var pricingPaymentCollateral: UInt64?

        @Option(help: "Mediation fee, in LP (default: $PRICING_MEDIATION_FEE or 1).")
        var pricingMediationFee: UInt64?

        @Option(help: "Execution timeout in seconds (default: the module's).")
        var timeout: UInt64?

        @Flag(help: "Ask a mediator to re-run the job and check the results before paying.")
        var check = false

        @Option(help: "A folder whose files the job sees read-only at /inputs (default: $INPUTS_PATH).")
        var inputsPath: String?

        @Option(help: "Where results go (default: $DATA_DIR, else /tmp/lilypad/data).")
        var dataDir: String?

        @Option(help: "The account's private key (default: $WEB3_PRIVATE_KEY; on the local network the development job creator).")
        var privateKey: String?

        @OptionGroup var network: NetworkOptions

        @OptionGroup var executorOptions: ExecutorOptions

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            var job = JobCreator.Job(module: module, inputs: try ModuleInputs.parse(inputs))
            guard let mode = PricingMode(rawValue: pricingMode) else { throw ValidationError("--pricing-mode must be MarketPrice or FixedPrice") }
            job.mode = mode
            func lp(_ flag: UInt64?, _ variable: String, _ fallback: UInt64) -> UInt64 {
                flag ?? environment[variable].flatMap(UInt64.init) ?? fallback
            }
            job.pricing = DealPricing(
                instructionPrice: lp(pricingInstructionPrice, "PRICING_INSTRUCTION_PRICE", 1),
                paymentCollateral: lp(pricingPaymentCollateral, "PRICING_PAYMENT_COLLATERAL", 2),
                resultsCollateralMultiple: lp(nil, "PRICING_RESULTS_COLLATERAL_MULTIPLE", 2),
                mediationFee: lp(pricingMediationFee, "PRICING_MEDIATION_FEE", 1))
            job.timeoutSeconds = timeout
            job.check = check
            if let folder = inputsPath ?? environment["INPUTS_PATH"], !folder.isEmpty { job.inputsPath = URL(fileURLWithPath: folder) }
            if let target { job.target = try EthereumAddress(target) }
            let keyText = privateKey ?? environment["WEB3_PRIVATE_KEY"]
            let key: PrivateKey
            if let keyText, !keyText.isEmpty {
                key = try PrivateKey(hex: keyText)
            } else if network.isLocal {
                key = try PrivateKey(hex: DevelopmentAccounts.jobCreator.privateKey)
            } else {
                throw CLIError("set WEB3_PRIVATE_KEY (or --private-key) to the account that pays for the job")
            }
            let data = dataDir ?? environment["DATA_DIR"] ?? "/tmp/lilypad/data"
            let downloads = URL(fileURLWithPath: data).appendingPathComponent("downloaded-files").standardizedFileURL
            let logger = Logger.command("lilypad.run", fallback: .warning, environment: environment)
            print(Self.banner)
            let output = ProgressPrinter()

            if !network.isLocal {
                try await runJob(job, key: key, endpoints: try network.existing(), downloads: downloads, logger: logger, output: output)
                return
            }
            if let running = await LocalNetwork.running(home: network.home) {
                try await runJob(job, key: key, endpoints: try network.endpoints(base: running), downloads: downloads, logger: logger, output: output)
                return
            }
            // No local network: start one inside this command, for this job.
            var configuration = LocalNetwork.Configuration(home: network.home, executor: { [executorOptions] in try executorOptions.makeExecutor() })
            configuration.ledgerPort = 0
            configuration.solverPort = 0
            configuration.slots = 1
            let embedded = LocalNetwork(configuration: configuration, logger: logger)
            let run = EmbeddedRun()
            let (prepared, log) = (job, logger)
            let networkTask = Task {
                do {
                    try await embedded.run(signals: false) { endpoints in
                        do {
                            try await runJob(prepared, key: key, endpoints: endpoints, downloads: downloads, logger: log, output: output)
                            await run.finishJob(nil)
                        } catch {
                            await run.finishJob(error)
                        }
                    }
                    await run.networkEnded(nil)
                } catch {
                    await run.networkEnded(error)
                }
            }
            await run.waitForJob()
            // The network stops on its own once the job is done. Its data is already durable, so a
            // shutdown that lingers (a request still draining) does not hold the command: after a
            // few seconds the process exits with it.
            let deadline = ContinuousClock.now + .seconds(5)
            while await !run.networkStopped, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            withExtendedLifetime(networkTask) {}
            switch await run.error {
            case let error as LocalNetworkError: throw CLIError("cannot start the local network: \(error)")
            case let error?: throw error
            case nil: break
            }
        }

        /// Runs the job and prints the outcome; Ctrl-C withdraws the offer.
        func runJob(
            _ job: JobCreator.Job, key: PrivateKey, endpoints: NetworkEndpoints, downloads: URL, logger: Logger, output: ProgressPrinter
        ) async throws {
            let creator = JobCreator(key: key, network: endpoints, home: network.home, downloads: downloads, logger: logger)
            let interrupt = Interrupt(solver: SolverClient(baseURL: endpoints.solverURL, key: key))
            let signals = interrupt.install()
            defer { signals.cancel() }
            let result: JobCreator.Outcome
            do {
                result = try await creator.run(job) { progress in
                    if case .offerPosted(let id) = progress { interrupt.offerID.withLock { $0 = id } }
                    output.show(progress)
                }
            } catch {
                await interrupt.yieldToHandling()
                output.finish()
                throw CLIError(error.description + (error.dealID.map { " (deal \($0))" } ?? ""))
            }
            output.finish()
            let folder = result.folder.path
            print("🆔  Data ID: \(result.dataID)\n")
            if let mediation = result.mediation {
                print(
                    mediation == .mediationAccepted
                        ? "⚖️  The mediator confirmed the results." : "⚖️  The mediator rejected the results: you were refunded.")
            }
            print("🍂 Lilypad job completed, try 👇\n    open \(folder)\n    cat \(folder)/stdout\n    cat \(folder)/stderr\n")
            if let stdout = FileManager.default.contents(atPath: folder + "/stdout"), stdout.count <= 4096,
                let text = String(data: stdout, encoding: .utf8),
                !text.isEmpty
            {
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
            if result.mediation == .mediationRejected { throw ExitCode(1) }
            if result.exitCode != 0 {
                printError("Error: \(result.error.isEmpty ? "the job exited with code \(result.exitCode)" : result.error); see \(folder)/stderr")
                // Stopped by Ctrl-C: the shell's convention for an interrupted command.
                throw ExitCode(interrupt.caught ? 130 : 1)
            }
        }

        static let banner = """
            \u{1B}[36m
              _     _ _                       _
             | |   (_) |_   _ _ __   __ _  __| |
             | |   | | | | | | '_ \\ / _` |/ _` |
             | |___| | | |_| | |_) | (_| | (_| |
             |_____|_|_|\\__, | .__/ \\__,_|\\__,_|
                        |___/|_|   \(LilypadVersion.current)
             Decentralized Compute Network  https://lilypad.tech\u{1B}[0m

            """
    }
}

/// A job run inside an embedded network: its outcome, and whether the network has stopped.
actor EmbeddedRun {
    private(set) var error: (any Error)?
    private(set) var networkStopped = false
    private var jobDone = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func finishJob(_ error: (any Error)?) {
        self.error = error
        jobDone = true
        resumeWaiters()
    }

    /// The network stopped (with `error` if it failed, e.g. before the job could start).
    func networkEnded(_ error: (any Error)?) {
        if self.error == nil { self.error = error }
        networkStopped = true
        jobDone = true
        resumeWaiters()
    }

    func waitForJob() async {
        guard !jobDone else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func resumeWaiters() {
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
