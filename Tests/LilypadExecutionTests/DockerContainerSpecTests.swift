import Foundation
import LilypadCore
import LilypadImages
import Testing

@testable import LilypadExecution

@Suite struct DockerContainerSpecTests {
    static let image = ExecutionImage(
        reference: "example/job:1", digest: nil, rootfs: URL(fileURLWithPath: "/var/lib/lilypad/rootfs/x"),
        configuration: ImageConfiguration(
            user: "1000:1000", environment: ["PATH=/bin", "GREETING=from-image", "A=image"], entrypoint: ["/entrypoint.sh"],
            command: ["arg1", "arg2"], workingDirectory: "/work"))

    static func request(
        entrypoint: [String]? = nil, command: [String]? = nil, environment: [(name: String, value: String)] = [], workingDirectory: String? = nil,
        limits: ResourceLimits = ResourceLimits(), network: NetworkAccess = .none, gpus: [GPUDevice] = [], image: ExecutionImage = image
    ) -> ExecutionRequest {
        ExecutionRequest(
            name: "job-1", image: image, entrypoint: entrypoint, command: command, environment: environment, workingDirectory: workingDirectory,
            limits: limits, network: network, gpus: gpus, outputsDirectory: URL(fileURLWithPath: "/tmp/out"))
    }

    static func json(_ request: ExecutionRequest) throws -> [String: Any] {
        let spec = try DockerContainerSpec(request: request, image: "lilypad.local/rootfs:abc", outputsHostPath: "/scratch/job-1/outputs")
        return try #require(try JSONSerialization.jsonObject(with: try spec.jsonBody()) as? [String: Any])
    }

    @Test func imageDefaultsWhenTheJobGivesNone() throws {
        let body = try Self.json(Self.request())
        #expect(body["Image"] as? String == "lilypad.local/rootfs:abc")
        #expect(body["Entrypoint"] as? [String] == ["/entrypoint.sh"])
        #expect(body["Cmd"] as? [String] == ["arg1", "arg2"])
        #expect(body["Env"] as? [String] == ["PATH=/bin", "GREETING=from-image", "A=image"])
        #expect(body["WorkingDir"] as? String == "/work")
        #expect(body["User"] as? String == "1000:1000")
        #expect(body["Tty"] as? Bool == false)
    }

    @Test func jobOverridesAndLaterEnvironmentWins() throws {
        let body = try Self.json(
            Self.request(
                entrypoint: ["/bin/sh", "-c"], command: ["echo hi"], environment: [("A", "job"), ("B", "1"), ("B", "2")], workingDirectory: "/tmp"))
        #expect(body["Entrypoint"] as? [String] == ["/bin/sh", "-c"])
        #expect(body["Cmd"] as? [String] == ["echo hi"])
        #expect(body["Env"] as? [String] == ["PATH=/bin", "GREETING=from-image", "A=job", "B=2"])
        #expect(body["WorkingDir"] as? String == "/tmp")
    }

    @Test func limitsAndIsolation() throws {
        let limits = ResourceLimits(
            memory: 64, cpu: 500, processes: 32, outputs: ByteCount(16 << 20), temporary: ByteCount(8 << 20), logBytes: 1 << 20, timeout: .seconds(5))
        let body = try Self.json(Self.request(limits: limits))
        let host = try #require(body["HostConfig"] as? [String: Any])
        #expect(body["NetworkDisabled"] as? Bool == true)
        #expect(host["NetworkMode"] as? String == "none")
        #expect(host["Memory"] as? Int == 64 << 20)
        #expect(host["MemorySwap"] as? Int == 64 << 20)
        #expect(host["NanoCpus"] as? Int == 500_000_000)
        #expect(host["PidsLimit"] as? Int == 32)
        #expect(host["ReadonlyRootfs"] as? Bool == true)
        #expect(host["Tmpfs"] as? [String: String] == ["/tmp": "rw,nosuid,nodev,size=8388608"])
        #expect(host["Binds"] as? [String] == ["/scratch/job-1/outputs:/outputs:rw"])
        #expect(host["CapDrop"] as? [String] == ["ALL"])
        #expect(host["SecurityOpt"] as? [String] == ["no-new-privileges"])
        let ulimits = try #require(host["Ulimits"] as? [[String: Any]])
        #expect(
            ulimits.count == 1 && ulimits[0]["Name"] as? String == "nofile" && ulimits[0]["Soft"] as? Int == 1024
                && ulimits[0]["Hard"] as? Int == 1024)
        #expect((host["DeviceRequests"] as? [Any])?.isEmpty == true)
        let log = try #require(host["LogConfig"] as? [String: Any])
        #expect(log["Type"] as? String == "none")
    }

    @Test func inputFilesAreBoundReadOnly() throws {
        var request = Self.request()
        request.inputsDirectory = URL(fileURLWithPath: "/data/job-inputs/QmDeal")
        let host = try #require(try Self.json(request)["HostConfig"] as? [String: Any])
        #expect(host["Binds"] as? [String] == ["/scratch/job-1/outputs:/outputs:rw", "/data/job-inputs/QmDeal:/inputs:ro"])
    }

    @Test func unlimitedMemoryAndCPUAreLeftOut() throws {
        let body = try Self.json(Self.request(limits: ResourceLimits(memory: nil, cpu: nil)))
        let host = try #require(body["HostConfig"] as? [String: Any])
        #expect(host["Memory"] == nil && host["MemorySwap"] == nil && host["NanoCpus"] == nil)
    }

    @Test func hostNetworkAndGPUs() throws {
        let gpus = [
            GPUDevice(index: 0, uuid: "GPU-aaaa", name: "H100", memory: 81_920), GPUDevice(index: 1, uuid: "GPU-bbbb", name: "H100", memory: 81_920),
        ]
        let body = try Self.json(Self.request(network: .host, gpus: gpus))
        let host = try #require(body["HostConfig"] as? [String: Any])
        #expect(body["NetworkDisabled"] as? Bool == false)
        #expect(host["NetworkMode"] as? String == "host")
        let requests = try #require(host["DeviceRequests"] as? [[String: Any]])
        #expect(requests.count == 1)
        #expect(requests[0]["Driver"] as? String == "nvidia")
        #expect(requests[0]["DeviceIDs"] as? [String] == ["GPU-aaaa", "GPU-bbbb"])
        #expect(requests[0]["Capabilities"] as? [[String]] == [["gpu"]])
    }

    @Test func refusesWhatCannotRun() {
        let bare = ExecutionImage(reference: "bare", digest: nil, rootfs: URL(fileURLWithPath: "/x"), configuration: ImageConfiguration())
        #expect(throws: ExecutionError.self) { try DockerContainerSpec(request: Self.request(image: bare), image: "i", outputsHostPath: "/o") }
        #expect(throws: ExecutionError.self) {
            try DockerContainerSpec(request: Self.request(workingDirectory: "relative"), image: "i", outputsHostPath: "/o")
        }
        #expect(throws: ExecutionError.self) {
            try DockerContainerSpec(request: Self.request(environment: [("A=B", "x")]), image: "i", outputsHostPath: "/o")
        }
    }

    @Test func engineImageNames() throws {
        let digest = try Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))
        var image = Self.image
        image.digest = digest
        #expect(DockerExecutor.engineImageName(for: image) == "lilypad.local/rootfs:" + String(repeating: "ab", count: 32))
        image.digest = nil
        let byPath = DockerExecutor.engineImageName(for: image)
        #expect(byPath.hasPrefix("lilypad.local/rootfs:") && byPath.count == "lilypad.local/rootfs:".count + 64)
        #expect(DockerExecutor.engineImageName(for: image) == byPath)
        #expect(DockerExecutor.splitName(byPath).repository == "lilypad.local/rootfs")
    }

    @Test(arguments: [("1.43", "1.41"), ("1.41", "1.41"), ("1.40", "1.40"), ("1.24", "1.24"), ("2.0", "1.41")])
    func apiVersionNegotiation(server: String, expected: String) {
        #expect(DockerEngineClient.negotiate(server: server) == expected)
    }

    @Test(arguments: ["job-1", "a.b_c", "X"]) func validNames(name: String) throws {
        try DockerExecutor.validate(name: name)
    }

    @Test(arguments: ["", "a/b", "a b", ".hidden", "-flag", "ü"]) func invalidNames(name: String) {
        #expect(throws: ExecutionError.self) { try DockerExecutor.validate(name: name) }
    }
}
