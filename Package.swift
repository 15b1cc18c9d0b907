// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode with strict concurrency (the default
/// for this tools version) and explicit existentials.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "lilypad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lilypad", targets: ["lilypad"]),
        .library(name: "LilypadCrypto", targets: ["LilypadCrypto"]),
        .library(name: "LilypadCore", targets: ["LilypadCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // secp256k1 from Debian's libsecp256k1-dev (built with the recovery module), via pkg-config.
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .target(
            name: "LilypadCrypto",
            dependencies: [
                "CSecp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LilypadCore",
            dependencies: ["LilypadCrypto", "CLinuxSupport"],
            swiftSettings: swiftSettings
        ),
        // Go's text/template, exactly (differential-tested against Go 1.23), plus Lilypad's rendering.
        .target(name: "LilypadTemplate", swiftSettings: swiftSettings),
        .target(
            name: "LilypadModules",
            dependencies: [
                "LilypadCore",
                "LilypadTemplate",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Builtin")],
            swiftSettings: swiftSettings
        ),
        // zlib from Debian's zlib1g-dev, for gzip-compressed image layers.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // zstd from Debian's libzstd-dev, for zstd-compressed image layers.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // libseccomp from Debian's libseccomp-dev, for the sandbox executor's system call filter.
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        // Linux system calls Swift cannot call directly (variadic or new): openat2, prctl, posix_spawn with
        // closefrom (ChildProcess), and the sandbox's fork-and-exec launcher (join cgroups, drop to the job's
        // uid, then exec bubblewrap).
        .target(name: "CLinuxSupport"),
        // OCI images: references, registry client, content-addressed store, safe unpacker, builder.
        .target(
            name: "LilypadImages",
            dependencies: [
                "LilypadCore",
                "CLinuxSupport",
                "CZlib",
                "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Running jobs: the bubblewrap sandbox executor and the Docker Engine executor.
        .target(
            name: "LilypadExecution",
            dependencies: [
                "LilypadCore",
                "LilypadImages",
                "CLinuxSupport",
                "CSeccomp",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The long-running roles and what they share: running modules as jobs, the resource
        // provider, the job creator, the mediator.
        .target(
            name: "LilypadAgents",
            dependencies: [
                "LilypadCore", "LilypadModules", "LilypadImages", "LilypadExecution", "LilypadLedger", "LilypadLedgerService",
                "LilypadSolver", "LilypadSolverService", .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LilypadLedger",
            dependencies: ["LilypadCore", "LilypadCrypto", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LilypadLedgerService",
            dependencies: [
                "LilypadLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The resource provider's proof of work: a multi-threaded CPU miner and the service that
        // answers the ledger's proof-of-work rounds.
        .target(
            name: "LilypadPow",
            dependencies: [
                "LilypadCrypto",
                "LilypadLedger",
                "LilypadLedgerService",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LilypadSolver",
            dependencies: [
                "LilypadCore", "LilypadCrypto", .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LilypadSolverService",
            dependencies: [
                "LilypadSolver", "LilypadLedgerService",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Anura: the OpenAI-compatible inference gateway; each request runs a model module as a job.
        .target(
            name: "LilypadAnura",
            dependencies: [
                "LilypadCore", "LilypadCrypto", "LilypadAgents", "LilypadSolver", "LilypadSolverService",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LilypadCLI",
            dependencies: [
                "LilypadAnura",
                "LilypadCore",
                "LilypadModules",
                "LilypadTemplate",
                "LilypadCrypto",
                "LilypadLedger",
                "LilypadLedgerService",
                "LilypadPow",
                "LilypadSolver",
                "LilypadSolverService",
                "LilypadImages",
                "LilypadExecution",
                "LilypadAgents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "lilypad",
            dependencies: ["LilypadCLI", "LilypadCore"],
            swiftSettings: swiftSettings
        ),

        // Figures for BENCHMARKS.md: `swift run -c release --scratch-path .build-release lilypad-benchmarks`.
        .executableTarget(
            name: "lilypad-benchmarks",
            dependencies: [
                "LilypadCore", "LilypadCrypto", "LilypadLedger", "LilypadPow", "LilypadImages", "LilypadExecution", "LilypadTestSupport",
                "LilypadSolver", "LilypadSolverService", "LilypadLedgerService", "LilypadAgents",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LilypadBenchmarks",
            swiftSettings: swiftSettings
        ),

        // Helpers shared by the test targets.
        .target(
            name: "LilypadTestSupport",
            dependencies: ["LilypadCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/LilypadTestSupport",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "LilypadCryptoTests", dependencies: ["LilypadCrypto"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadCoreTests", dependencies: ["LilypadCore", "LilypadCrypto", "LilypadTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadTemplateTests", dependencies: ["LilypadTemplate"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadModulesTests", dependencies: ["LilypadModules"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadLedgerTests", dependencies: ["LilypadLedger", "LilypadTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LilypadPowTests",
            dependencies: [
                "LilypadPow", "LilypadLedger", "LilypadLedgerService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LilypadSolverTests", dependencies: ["LilypadSolver", "LilypadTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadImagesTests", dependencies: ["LilypadImages", "LilypadTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadExecutionTests", dependencies: ["LilypadExecution", "LilypadTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadAgentsTests", dependencies: ["LilypadAgents", "LilypadTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LilypadAnuraTests", dependencies: ["LilypadAnura", "LilypadSolver", "LilypadSolverService"], swiftSettings: swiftSettings),
        .testTarget(name: "LilypadCLITests", dependencies: ["LilypadCLI"], swiftSettings: swiftSettings),
        // Tests that start processes: differential tests against outside references (Python
        // eth-account, aleph-cid, Go's encoding/json and text/template) and multi-process tests.
        .testTarget(
            name: "LilypadIntegrationTests",
            dependencies: [
                "LilypadCore", "LilypadCrypto", "LilypadModules", "LilypadTemplate", "LilypadLedger", "LilypadLedgerService", "LilypadSolver",
                "LilypadSolverService", "LilypadImages", "LilypadExecution", "LilypadAgents", "LilypadTestSupport",
                "lilypad",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            exclude: ["Oracles", "Probes"],
            swiftSettings: swiftSettings
        ),
    ]
)
