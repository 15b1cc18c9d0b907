import ArgumentParser
import Foundation
import LilypadAgents
import LilypadCore
import LilypadLedgerService
import LilypadPow
import Logging
import ServiceLifecycle

extension LilypadCommand {
    /// `lilypad resource-provider`.
    struct ResourceProviderCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resource-provider",
            abstract: "Offer this machine's compute to the network and run the jobs it wins in the sandbox.",
            discussion: """
                Lilypad's variables apply: WEB3_PRIVATE_KEY, OFFER_COUNT (slots), OFFER_CPU (millicores per slot), \
                OFFER_RAM (MiB per slot), OFFER_GPU, OFFER_MODULES (comma list of allowed modules), PRICING_*, \
                SERVICE_SOLVER, SERVICE_MEDIATORS. Hardware is detected (CPU, RAM, disk, NVIDIA GPUs via nvidia-smi) and \
                split between the slots. SIGINT/SIGTERM drain: unmatched offers are withdrawn and running jobs finish.

                The provider also answers the ledger's proof-of-work rounds on the CPU (threads: $NUM_WORKER, else \
                every CPU), under a node ID kept in $LILYPAD_HOME/resource-provider; --disable-pow or DISABLE_POW=true \
                turns that off.

                Modules that declare "warm": true (the model modules Anura serves) keep their process between jobs, \
                so a chat job costs the model's time, not its load time: --warm-modules N idle processes at most \
                (default: $WARM_MODULES or 2; 0 starts every job afresh), each stopped after --warm-idle-seconds \
                (default: $WARM_IDLE_SECONDS or 600). Only with the sandbox executor.
                """
        )

        @Option(help: "Jobs to run at once, one offer each (default: $OFFER_COUNT or 1).")
        var slots: Int?

        @Option(help: "Allowed modules, comma-separated NAME:REF or repository URLs (default: $OFFER_MODULES; none: any).")
        var modules: String?

        @Option(help: "Price per job in LP (default: $PRICING_INSTRUCTION_PRICE or 1).")
        var pricingInstructionPrice: UInt64?

        @Option(help: "Where results folders are kept (default: $LILYPAD_HOME/resource-provider).")
        var dataDir: String?

        @Flag(help: "Give jobs that ask for network access the host's network.")
        var allowNetwork = false

        @Option(help: "Idle warm module processes kept between jobs; 0: none (default: $WARM_MODULES or 2).")
        var warmModules: Int?

        @Option(help: "Seconds an idle warm module process is kept (default: $WARM_IDLE_SECONDS or 600).")
        var warmIdleSeconds: Int?

        @Flag(help: "Do not take part in proof-of-work rounds (default: $DISABLE_POW).")
        var disablePow = false

        @OptionGroup var key: PrivateKeyOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var executorOptions: ExecutorOptions

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let home = LilypadHome(environment: environment)
            let endpoints = try await network.existing()
            let data = URL(fileURLWithPath: dataDir ?? home.path + "/resource-provider")
            let slotCount = max(1, slots ?? environment["OFFER_COUNT"].flatMap(Int.init) ?? 1)
            var spec = HardwareProfile.detect(path: home.path).perSlot(slotCount)
            if let cpu = environment["OFFER_CPU"].flatMap(Int.init), cpu > 0 { spec.cpu = Millicores(cpu) }
            if let ram = environment["OFFER_RAM"].flatMap(Int.init), ram > 0 { spec.ram = Mebibytes(ram) }
            if let gpu = environment["OFFER_GPU"].flatMap(Int.init) { spec.gpu = min(gpu, spec.gpu) }
            var configuration = ResourceProvider.Configuration(key: try key.load(), network: endpoints, home: home, dataDirectory: data, spec: spec)
            configuration.slots = slotCount
            configuration.allowNetwork = allowNetwork
            if let count = warmModules ?? environment["WARM_MODULES"].flatMap(Int.init) {
                guard count >= 0 else { throw ValidationError("--warm-modules must be 0 or more (got \(count))") }
                configuration.warm.idleProcesses = count
            }
            if let seconds = warmIdleSeconds ?? environment["WARM_IDLE_SECONDS"].flatMap(Int.init) {
                guard seconds > 0 else { throw ValidationError("--warm-idle-seconds must be more than 0 (got \(seconds))") }
                configuration.warm.idleTimeout = .seconds(seconds)
            }
            if let price = pricingInstructionPrice ?? environment["PRICING_INSTRUCTION_PRICE"].flatMap(UInt64.init) {
                configuration.pricing.instructionPrice = price
            }
            if let list = modules ?? environment["OFFER_MODULES"], !list.isEmpty {
                configuration.modules = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let logger = Logger.command("lilypad.resource-provider", environment: environment)
            let provider = ResourceProvider(configuration: configuration, executor: try executorOptions.makeExecutor(), logger: logger)
            var services: [any Service] = []
            if disablePow || ["true", "1", "yes"].contains(environment["DISABLE_POW"]?.lowercased() ?? "") {
                logger.info("proof of work disabled")
            } else {
                let nodeID = try NodeIdentity.load(home: home, account: configuration.key.address)
                var powLogger = Logger(label: "lilypad.pow")
                powLogger.logLevel = logger.logLevel
                // Jobs come first: the miner's threads run at the lowest CPU priority.
                services.append(
                    PowWorker(
                        ledger: LedgerClient(baseURL: endpoints.ledgerURL), key: configuration.key, nodeID: nodeID,
                        miner: PowMiner(lowPriority: true), logger: powLogger))
            }
            try await runUntilSignalled(logger: logger, alongside: services) { try await provider.run() }
        }
    }
}
