import Foundation
import Testing

/// The built-in modules run for real through the CLI: image built from Debian's cowsay on first
/// use, job in the sandbox, results folder as `lilypad run` writes it.
@Suite(.serialized, .enabled(if: getuid() == 0, "the sandbox needs root"))
struct ModuleRunProcessTests {
    @Test func cowsayModuleRunsLocally() throws {
        let home = try TemporaryDirectory(prefix: "lilypad-home")
        chmod(home.path, 0o700)
        let results = home.url.appendingPathComponent("results")
        let environment = ["LILYPAD_HOME": home.path]
        let run = try Oracle.run(
            Oracle.lilypadBinary, ["module", "run", "--local", "cowsay:v0.0.4", "-i", "Message=hi", "--results", results.path],
            environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("< hi >") && run.stdout.contains("(oo)"))
        #expect(try String(contentsOf: results.appendingPathComponent("stdout"), encoding: .utf8) == run.stdout)
        #expect(try String(contentsOf: results.appendingPathComponent("exitCode"), encoding: .utf8) == "0")

        let exec = try Oracle.run(Oracle.lilypadBinary, ["exec", "lilypad.local/cowsay:3.03", "--", "cowsay", "moo"], environment: environment)
        #expect(exec.status == 0, "\(exec.stderr)")
        #expect(exec.stdout.contains("< moo >"))

        let failing = try Oracle.run(
            Oracle.lilypadBinary, ["exec", "lilypad.local/cowsay:3.03", "--", "perl", "-e", "exit 7"], environment: environment)
        #expect(failing.status == 7)

        let list = try Oracle.run(Oracle.lilypadBinary, ["image", "ls"], environment: environment)
        #expect(list.stdout.contains("lilypad.local/cowsay:3.03"))
    }
}
