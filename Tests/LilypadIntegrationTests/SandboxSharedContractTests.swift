import Foundation
import LilypadExecution
import Testing

/// The executor contract cases (``ExecutorContractCases``) the Docker executor passes against a real dockerd, on the sandbox
/// executor: a job's result does not depend on which executor ran it.
@Suite(.enabled(if: TestRootfs.isAvailable && getuid() == 0, "needs root and busybox-static (scripts/setup.sh --test)"))
struct SandboxSharedContractTests {
    @Test(arguments: ExecutorContractCases.Case.allCases)
    func contract(_ contractCase: ExecutorContractCases.Case) async throws {
        let scratch = try TemporaryDirectory(prefix: "lilypad-sandbox-contract")
        let image = try ExecutorContractCases.makeImage(at: scratch.url.appendingPathComponent("rootfs"))
        let cases = ExecutorContractCases(executor: try SandboxExecutor(), image: image, scratch: scratch.url)
        try await cases.run(contractCase)
    }
}
