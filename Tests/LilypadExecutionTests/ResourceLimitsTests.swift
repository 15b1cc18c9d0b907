import Foundation
import Testing

@testable import LilypadExecution

@Suite struct ExecutionResultTests {
    @Test func failureReasonsNameTheCause() {
        func result(_ termination: Termination) -> ExecutionResult {
            ExecutionResult(
                termination: termination, exitCode: 0, stdout: [], stderr: [], stdoutTruncated: false, stderrTruncated: false,
                outputsDirectory: URL(fileURLWithPath: "/tmp"), usage: ResourceUsage(wallTime: .zero), warnings: [])
        }
        #expect(result(.exited(code: 0)).failureReason == nil)
        #expect(result(.exited(code: 3)).failureReason?.contains("code 3") == true)
        #expect(result(.outOfMemory).failureReason?.contains("out of memory") == true)
        #expect(result(.timedOut).failureReason?.contains("time limit") == true)
    }
}
