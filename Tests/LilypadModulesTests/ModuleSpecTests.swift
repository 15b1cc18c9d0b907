import Foundation
import LilypadCore
import Testing

@testable import LilypadModules

@Suite("Module specs")
struct ModuleSpecTests {
    static let cowsay = #"""
        {"machine": {"gpu": 0, "cpu": 1000, "ram": 100},
         "job": {"APIVersion": "V1beta1", "Spec": {"Deal": {"Concurrency": 1},
           "Docker": {"Entrypoint": ["/usr/games/cowsay", "hello \"world\""], "Image": "lilypad.local/cowsay:3.03",
                      "EnvironmentVariables": ["A=1", "B=x=y"], "WorkingDirectory": "/work"},
           "Engine": "Docker", "Network": {"Type": "None"}, "PublisherSpec": {"Type": "IPFS"},
           "Resources": {"GPU": "", "CPU": "500m", "Memory": "2Gb", "Disk": "10gi"},
           "Outputs": [{"Name": "outputs", "Path": "/outputs"}], "Timeout": 1800, "Verifier": "Noop"}}}
        """#

    @Test func parsesACompleteSpec() throws {
        let spec = try ModuleSpec(json: Data(Self.cowsay.utf8))
        #expect(spec.machine == MachineSpec(gpu: 0, cpu: 1000, ram: 100))
        #expect(spec.image == "lilypad.local/cowsay:3.03")
        #expect(spec.entrypoint == ["/usr/games/cowsay", "hello \"world\""])
        #expect(spec.environment.map { "\($0.name)=\($0.value)" } == ["A=1", "B=x=y"])
        #expect(spec.workingDirectory == "/work")
        #expect(spec.network == .none)
        #expect(spec.resources == ModuleSpec.Resources(cpu: 500, memory: 2048, disk: ByteCount(10 << 30), gpu: 0))
        #expect(spec.outputs == [ModuleSpec.Output(name: "outputs", path: "/outputs")])
        #expect(spec.timeoutSeconds == 1800)
        #expect(spec.warnings.isEmpty, "\(spec.warnings)")
    }

    @Test func keysAreCaseInsensitiveAndUnknownKeysWarn() throws {
        let json =
            #"{"machine":{"cpu":1,"vram":3},"job":{"spec":{"docker":{"image":"alpine","Enviroment":["X=1"]},"network":{"type":"http","domains":["example.com"]}}}}"#
        let spec = try ModuleSpec(json: Data(json.utf8))
        #expect(spec.image == "alpine")
        #expect(spec.network == .http(domains: ["example.com"]))
        #expect(spec.warnings == ["job.Spec.Docker.Enviroment is not a known field and is ignored"])
    }

    @Test(
        arguments: [
            (#"{"job":{"Spec":{"Docker":{"Image":"a"}}}}"#, nil),
            ("not json", "it is not valid JSON"),
            (#"{"machine":{}}"#, "invalid module spec at job: missing"),
            (#"{"job":{"Spec":{"Engine":"Wasm","Docker":{"Image":"a"}}}}"#, "job.Spec.Engine: \"Wasm\" is not supported"),
            (#"{"job":{"Spec":{}}}"#, "job.Spec.Docker: missing"),
            (#"{"job":{"Spec":{"Docker":{}}}}"#, "job.Spec.Docker.Image: missing"),
            (#"{"job":{"Spec":{"Docker":{"Image":"a","Entrypoint":["x",1]}}}}"#, "job.Spec.Docker.Entrypoint[1]: expected a string, found a number"),
            (
                #"{"job":{"Spec":{"Docker":{"Image":"a","EnvironmentVariables":["NOVALUE"]}}}}"#,
                "EnvironmentVariables[0]: \"NOVALUE\" is not NAME=value"
            ),
            (#"{"job":{"Spec":{"Docker":{"Image":"a","EnvironmentVariables":["1X=2"]}}}}"#, "is not a valid variable name"),
            (
                #"{"job":{"Spec":{"Docker":{"Image":"a"},"Network":{"Type":"Everything"}}}}"#,
                "unknown network type \"everything\": use None, HTTP or Full"
            ),
            (#"{"job":{"Spec":{"Docker":{"Image":"a"},"Network":{"Type":"HTTP"}}}}"#, "needs the domains"),
            (#"{"job":{"Spec":{"Docker":{"Image":"a"},"Resources":{"Memory":"lots"}}}}"#, "Resources.Memory: \"lots\" is not a size"),
            (#"{"job":{"Spec":{"Docker":{"Image":"a"},"Resources":{"CPU":"-1"}}}}"#, "Resources.CPU"),
            (
                #"{"job":{"Spec":{"Docker":{"Image":"a"},"Outputs":[{"Name":"o","Path":"rel"}]}}}"#,
                "Outputs[0].Path: \"rel\" must be an absolute path"
            ),
            (#"{"machine":{"ram":-5},"job":{"Spec":{"Docker":{"Image":"a"}}}}"#, "machine.ram: expected a whole number of MiB ≥ 0"),
            (#"{"machine":{"ram":true},"job":{"Spec":{"Docker":{"Image":"a"}}}}"#, "machine.ram: expected a whole number of MiB, found a boolean"),
            (#"{"machine":{"cpu":"1000"},"job":{"Spec":{"Docker":{"Image":"a"}}}}"#, "machine.cpu: expected a whole number of millicores"),
            (#"{"inputFiles":{"required":["a/b"]},"job":{"Spec":{"Docker":{"Image":"a"}}}}"#, "must be a plain file name"),
            (#"{"inputFiles":{"required":["a"],"optional":["a"]},"job":{"Spec":{"Docker":{"Image":"a"}}}}"#, "\"a\" is listed twice"),
            (#"{"job":{"Spec":{"Docker":{"Image":"has space"}}}}"#, "is not an image reference"),
        ] as [(String, String?)])
    func pointsAtTheBadField(json: String, fragment: String?) {
        if let fragment {
            let error = #expect(throws: ModuleError.self) { try ModuleSpec(json: Data(json.utf8)) }
            #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
        } else {
            #expect(throws: Never.self) { try ModuleSpec(json: Data(json.utf8)) }
        }
    }

    @Test func numbersZeroAndOneAreNotBooleans() throws {
        let spec = try ModuleSpec(json: Data(#"{"machine":{"gpu":1,"cpu":0},"job":{"Spec":{"Docker":{"Image":"a"}}}}"#.utf8))
        #expect(spec.machine.gpu == 1)
    }

    @Test(arguments: [("16Gb", 16 << 30), ("512Mb", 512 << 20), ("2Gi", 2 << 30), ("1GiB", 1 << 30), ("100", 100), ("1.5k", 1536), ("3 MB", 3 << 20)])
    func sizes(text: String, bytes: Int) {
        #expect(ResourceQuantity.bytes(text) == ByteCount(bytes))
    }

    @Test func timeoutPrefersExecutionTimeoutSeconds() throws {
        let spec = try ModuleSpec(json: Data(#"{"executionTimeoutSeconds":60,"job":{"Spec":{"Docker":{"Image":"a"},"Timeout":1800}}}"#.utf8))
        #expect(spec.timeoutSeconds == 60)
    }
}
