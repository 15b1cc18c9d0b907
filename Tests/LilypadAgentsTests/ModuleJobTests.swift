import Foundation
import LilypadCore
import LilypadExecution
import LilypadImages
import LilypadModules
import Testing

@testable import LilypadAgents

@Suite struct ModuleJobTests {
    static let image = ExecutionImage(
        reference: "lilypad.local/cowsay:3.03", digest: nil, rootfs: URL(fileURLWithPath: "/nonexistent"),
        configuration: ImageConfiguration(entrypoint: ["/entry"], command: ["/usr/games/cowsay", "moo"]))

    static func spec(docker: String, extra: String = "") throws -> ModuleSpec {
        let json = """
            {"machine": {"gpu": 0, "cpu": 1000, "ram": 100},
             "job": {"APIVersion": "V1beta1", "Spec": {"Engine": "Docker", "Docker": {"Image": "lilypad.local/cowsay:3.03", \(docker)}\(extra)}}}
            """
        return try ModuleSpec(json: Data(json.utf8))
    }

    static func request(_ spec: ModuleSpec, allowNetwork: Bool = false) throws -> ExecutionRequest {
        try ModuleJob.request(for: spec, image: image, name: "j", outputsDirectory: URL(fileURLWithPath: "/tmp/o"), allowNetwork: allowNetwork)
    }

    @Test func entrypointReplacesImageEntrypointAndCommand() throws {
        let request = try Self.request(Self.spec(docker: #""Entrypoint": ["/usr/games/cowsay", "hi"]"#))
        #expect(request.entrypoint == ["/usr/games/cowsay", "hi"])
        #expect(request.command == [])
    }

    @Test func parametersAloneReplaceOnlyTheCommand() throws {
        let request = try Self.request(Self.spec(docker: #""Parameters": ["hello"]"#))
        #expect(request.entrypoint == nil)
        #expect(request.command == ["hello"])
    }

    @Test func nothingGivenKeepsTheImageDefaults() throws {
        let request = try Self.request(Self.spec(docker: #""EnvironmentVariables": ["A=1", "B=2"]"#))
        #expect(request.entrypoint == nil)
        #expect(request.command == nil)
        #expect(request.environment.map { "\($0.name)=\($0.value)" } == ["A=1", "B=2"])
    }

    @Test func resourcesAndTimeoutBecomeLimits() throws {
        let spec = try Self.spec(docker: #""Entrypoint": ["x"]"#, extra: #", "Resources": {"CPU": "500m", "Memory": "256Mi"}, "Timeout": 42"#)
        let request = try Self.request(spec)
        #expect(request.limits.cpu == Millicores(500))
        #expect(request.limits.memory == Mebibytes(256))
        #expect(request.limits.timeout == .seconds(42))
        #expect(request.network == .none)
    }

    @Test func networkNeedsTheProvidersConsent() throws {
        let spec = try Self.spec(docker: #""Entrypoint": ["x"]"#, extra: #", "Network": {"Type": "Full"}"#)
        #expect(throws: ExecutionError.self) { try Self.request(spec) }
        #expect(try Self.request(spec, allowNetwork: true).network == .host)
    }
}
