import ArgumentParser
import LilypadExecution

/// `--executor` and its settings, for the commands that run jobs here (`exec`, `module run`).
struct ExecutorOptions: ParsableArguments {
    @Option(help: "Which executor runs the job: sandbox (the default) or docker.")
    var executor = "sandbox"

    @Option(name: .customLong("docker-socket"), help: "The Docker Engine socket for --executor docker.")
    var dockerSocket = "/var/run/docker.sock"

    @Flag(name: .customLong("no-cgroups"), help: .hidden)
    var noCgroups = false

    /// The executor named by `--executor`.
    func makeExecutor() throws -> any Executor {
        switch executor {
        case "sandbox": return try SandboxExecutor(configuration: SandboxExecutor.Configuration(useCgroups: !noCgroups))
        case "docker": return DockerExecutor(socketPath: dockerSocket)
        default: throw CLIError("unknown executor \"\(executor)\"; available: sandbox, docker")
        }
    }
}
