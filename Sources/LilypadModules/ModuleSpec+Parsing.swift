import Foundation
import LilypadCore

extension ModuleSpec {
    /// Parses and validates a rendered module template.
    ///
    /// Keys match case-insensitively and unknown keys are ignored, as Go's `encoding/json` does, but
    /// unknown keys are listed in ``warnings``. Every error names the field and says how to fix it.
    public init(json: Data) throws(ModuleError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        } catch {
            throw .invalidSpec(field: "the rendered template", problem: "it is not valid JSON (\(Self.jsonErrorSummary(error, json)))")
        }
        var reader = SpecReader()
        let top = try reader.object(
            root, at: "the top level",
            known: [
                "machine", "job", "author", "description", "image", "model", "inputFiles", "executionTimeoutSeconds", "warm",
            ])

        let machineObject = try reader.object(
            top.value("machine") ?? [String: Any](), at: "machine", known: ["gpu", "gpus", "cpu", "ram", "disk", "vram"])
        var gpus: [GPUSpec]?
        if let list = try reader.optionalArray(machineObject.value("gpus"), at: "machine.gpus") {
            gpus = try list.enumerated().map { index, element throws(ModuleError) in
                let gpu = try reader.object(element, at: "machine.gpus[\(index)]", known: ["name", "vendor", "vram"])
                return GPUSpec(
                    name: try reader.string(gpu.value("name"), at: "machine.gpus[\(index)].name") ?? "",
                    vendor: try reader.string(gpu.value("vendor"), at: "machine.gpus[\(index)].vendor") ?? "",
                    vram: Mebibytes(try reader.count(gpu.value("vram"), at: "machine.gpus[\(index)].vram", unit: "MiB") ?? 0))
            }
        }
        let machine = MachineSpec(
            gpu: try reader.count(machineObject.value("gpu"), at: "machine.gpu", unit: "GPUs") ?? 0,
            gpus: gpus,
            cpu: Millicores(try reader.count(machineObject.value("cpu"), at: "machine.cpu", unit: "millicores (1000 = one core)") ?? 0),
            ram: Mebibytes(try reader.count(machineObject.value("ram"), at: "machine.ram", unit: "MiB") ?? 0),
            disk: ByteCount(try reader.count(machineObject.value("disk"), at: "machine.disk", unit: "bytes") ?? 0))

        guard let jobValue = top.value("job") else {
            throw .invalidSpec(field: "job", problem: "missing: a module needs a \"job\" with a \"Spec\" that names a Docker image")
        }
        let job = try reader.object(jobValue, at: "job", known: ["APIVersion", "Spec", "Metadata"])
        guard let specValue = job.value("Spec") else {
            throw .invalidSpec(field: "job.Spec", problem: "missing: add \"Spec\": {\"Engine\": \"Docker\", \"Docker\": {\"Image\": …}}")
        }
        let spec = try reader.object(
            specValue, at: "job.Spec",
            known: [
                "Engine", "EngineSpec", "Publisher", "PublisherSpec", "Docker", "Wasm", "Resources", "Network", "Timeout", "Inputs", "Outputs",
                "Annotations", "NodeSelectors", "DoNotTrack", "Deal", "Verifier",
            ])
        if let engine = try reader.string(spec.value("Engine"), at: "job.Spec.Engine"), !engine.isEmpty, engine.lowercased() != "docker" {
            throw .invalidSpec(field: "job.Spec.Engine", problem: "\"\(engine)\" is not supported; use \"Docker\" (OCI images)")
        }
        guard let dockerValue = spec.value("Docker") else {
            throw .invalidSpec(field: "job.Spec.Docker", problem: "missing: add \"Docker\": {\"Image\": \"…\"} with the image the job runs")
        }
        let docker = try reader.object(
            dockerValue, at: "job.Spec.Docker",
            known: [
                "Image", "Entrypoint", "Parameters", "EnvironmentVariables", "WorkingDirectory",
            ])
        let topImage = try reader.string(top.value("image"), at: "image") ?? ""
        let image = try reader.string(docker.value("Image"), at: "job.Spec.Docker.Image") ?? topImage
        guard !image.isEmpty else {
            throw .invalidSpec(field: "job.Spec.Docker.Image", problem: "missing: name the OCI image the job runs, e.g. \"ubuntu:24.04\"")
        }
        guard image.allSatisfy({ !$0.isWhitespace && $0.isASCII }) else {
            throw .invalidSpec(field: "job.Spec.Docker.Image", problem: "\"\(image)\" is not an image reference (no spaces or non-ASCII)")
        }
        let entrypoint = try reader.strings(docker.value("Entrypoint"), at: "job.Spec.Docker.Entrypoint")
        let parameters = try reader.strings(docker.value("Parameters"), at: "job.Spec.Docker.Parameters")
        var environment: [(name: String, value: String)] = []
        for (index, entry) in try reader.strings(docker.value("EnvironmentVariables"), at: "job.Spec.Docker.EnvironmentVariables").enumerated() {
            let field = "job.Spec.Docker.EnvironmentVariables[\(index)]"
            guard let equals = entry.firstIndex(of: "=") else {
                throw .invalidSpec(field: field, problem: "\"\(entry.prefix(60))\" is not NAME=value")
            }
            let name = String(entry[..<equals])
            guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
                name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
            else {
                throw .invalidSpec(
                    field: field, problem: "\"\(name.prefix(60))\" is not a valid variable name (letters, digits and _, not starting with a digit)")
            }
            environment.append((name, String(entry[entry.index(after: equals)...])))
        }
        var workingDirectory = try reader.string(docker.value("WorkingDirectory"), at: "job.Spec.Docker.WorkingDirectory")
        if workingDirectory?.isEmpty == true { workingDirectory = nil }
        if let directory = workingDirectory, !directory.hasPrefix("/") {
            throw .invalidSpec(field: "job.Spec.Docker.WorkingDirectory", problem: "\"\(directory)\" must be an absolute path")
        }

        var outputs: [Output] = []
        for (index, element) in (try reader.optionalArray(spec.value("Outputs"), at: "job.Spec.Outputs") ?? []).enumerated() {
            let field = "job.Spec.Outputs[\(index)]"
            let output = try reader.object(element, at: field, known: ["Name", "Path", "StorageSource", "CID", "URL", "Metadata"])
            let name = try reader.string(output.value("Name"), at: field + ".Name") ?? ""
            let path = try reader.string(output.value("Path"), at: field + ".Path") ?? ""
            guard !name.isEmpty else { throw .invalidSpec(field: field + ".Name", problem: "missing: name the output, e.g. \"outputs\"") }
            guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw .invalidSpec(field: field + ".Path", problem: "\"\(path)\" must be an absolute path inside the job, e.g. \"/outputs\"")
            }
            guard !outputs.contains(where: { $0.name == name }) else {
                throw .invalidSpec(field: field + ".Name", problem: "\"\(name)\" is used by two outputs")
            }
            outputs.append(Output(name: name, path: path))
        }

        var network = NetworkPolicy.none
        if let networkValue = spec.value("Network") {
            let object = try reader.object(networkValue, at: "job.Spec.Network", known: ["Type", "Domains"])
            let domains = try reader.strings(object.value("Domains"), at: "job.Spec.Network.Domains")
            switch (try reader.string(object.value("Type"), at: "job.Spec.Network.Type") ?? "None").lowercased() {
            case "none", "": network = .none
            case "full": network = .full
            case "http":
                guard !domains.isEmpty else {
                    throw .invalidSpec(field: "job.Spec.Network.Domains", problem: "HTTP networking needs the domains the job may reach")
                }
                network = .http(domains: domains)
            case let other:
                throw .invalidSpec(field: "job.Spec.Network.Type", problem: "unknown network type \"\(other)\": use None, HTTP or Full")
            }
        }

        var resources = Resources(cpu: nil, memory: nil, disk: nil, gpu: 0)
        if let resourcesValue = spec.value("Resources") {
            let object = try reader.object(resourcesValue, at: "job.Spec.Resources", known: ["CPU", "Memory", "Disk", "GPU"])
            if let text = try reader.string(object.value("CPU"), at: "job.Spec.Resources.CPU"), !text.isEmpty {
                guard let cpu = ResourceQuantity.millicores(text) else {
                    throw .invalidSpec(
                        field: "job.Spec.Resources.CPU",
                        problem: "\"\(text)\" is not a CPU amount; write cores (\"2\", \"0.5\") or millicores (\"500m\")")
                }
                resources.cpu = cpu
            }
            if let text = try reader.string(object.value("Memory"), at: "job.Spec.Resources.Memory"), !text.isEmpty {
                guard let bytes = ResourceQuantity.bytes(text) else {
                    throw .invalidSpec(
                        field: "job.Spec.Resources.Memory", problem: "\"\(text)\" is not a size; write e.g. \"512Mb\", \"16Gb\" or \"2Gi\"")
                }
                resources.memory = Mebibytes(bytes: bytes)
            }
            if let text = try reader.string(object.value("Disk"), at: "job.Spec.Resources.Disk"), !text.isEmpty {
                guard let bytes = ResourceQuantity.bytes(text) else {
                    throw .invalidSpec(field: "job.Spec.Resources.Disk", problem: "\"\(text)\" is not a size; write e.g. \"10Gb\"")
                }
                resources.disk = bytes
            }
            if let text = try reader.string(object.value("GPU"), at: "job.Spec.Resources.GPU"), !text.isEmpty {
                guard let gpu = Int(text), gpu >= 0 else {
                    throw .invalidSpec(field: "job.Spec.Resources.GPU", problem: "\"\(text)\" is not a GPU count; write \"1\", or \"\" for none")
                }
                resources.gpu = gpu
            }
        }

        let specTimeout = try reader.count(spec.value("Timeout"), at: "job.Spec.Timeout", unit: "seconds") ?? 0
        let executionTimeout = try reader.count(top.value("executionTimeoutSeconds"), at: "executionTimeoutSeconds", unit: "seconds") ?? 0
        let timeout = executionTimeout > 0 ? executionTimeout : specTimeout

        var inputFiles = InputFiles()
        if let filesValue = top.value("inputFiles") {
            let object = try reader.object(filesValue, at: "inputFiles", known: ["required", "optional"])
            let required: [String]? = object.value("required") == nil ? nil : try reader.strings(object.value("required"), at: "inputFiles.required")
            let optional: [String]? = object.value("optional") == nil ? nil : try reader.strings(object.value("optional"), at: "inputFiles.optional")
            var seen = Set<String>()
            for (list, field) in [(required ?? [], "inputFiles.required"), (optional ?? [], "inputFiles.optional")] {
                for name in list {
                    guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                        throw .invalidSpec(field: field, problem: "\"\(name)\" must be a plain file name, without folders")
                    }
                    guard seen.insert(name).inserted else {
                        throw .invalidSpec(field: field, problem: "\"\(name)\" is listed twice")
                    }
                }
            }
            inputFiles = InputFiles(required: required, optional: optional)
        }

        self.init(
            machine: machine, image: image, entrypoint: entrypoint, parameters: parameters, environment: environment,
            workingDirectory: workingDirectory, outputs: outputs, network: network, resources: resources,
            timeoutSeconds: timeout > 0 ? UInt64(timeout) : nil, inputFiles: inputFiles,
            description: try reader.string(top.value("description"), at: "description") ?? "", warnings: reader.warnings)
        if let value = top.value("warm") {
            guard let number = value as? NSNumber, SpecReader.isBoolean(number) else {
                throw .invalidSpec(field: "warm", problem: "is \(SpecReader.kind(value)); write true (the program serves many jobs) or false")
            }
            warm = number.boolValue
        }
    }

    private static func jsonErrorSummary(_ error: any Error, _ json: Data) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return text.isEmpty ? "unreadable" : text
    }
}

/// Reads JSON values with field paths for error messages, collecting warnings.
struct SpecReader {
    var warnings: [String] = []

    /// A JSON object with Go's case-insensitive key lookup.
    struct Object {
        var entries: [String: Any]

        func value(_ key: String) -> Any? {
            if let exact = entries[key] { return exact is NSNull ? nil : exact }
            let lowered = key.lowercased()
            guard let match = entries.first(where: { $0.key.lowercased() == lowered }) else { return nil }
            return match.value is NSNull ? nil : match.value
        }
    }

    mutating func object(_ value: Any, at field: String, known: [String]) throws(ModuleError) -> Object {
        guard let entries = value as? [String: Any] else {
            throw .invalidSpec(field: field, problem: "expected an object {…}, found \(Self.kind(value))")
        }
        let knownLowered = Set(known.map { $0.lowercased() })
        for key in entries.keys.sorted() where !knownLowered.contains(key.lowercased()) {
            warnings.append("\(field == "the top level" ? "" : field + ".")\(key) is not a known field and is ignored")
        }
        return Object(entries: entries)
    }

    func string(_ value: Any?, at field: String) throws(ModuleError) -> String? {
        guard let value else { return nil }
        guard let string = value as? String else {
            throw .invalidSpec(field: field, problem: "expected a string, found \(Self.kind(value)); put it in quotes")
        }
        return string
    }

    func strings(_ value: Any?, at field: String) throws(ModuleError) -> [String] {
        guard let list = try optionalArray(value, at: field) else { return [] }
        return try list.enumerated().map { index, element throws(ModuleError) in
            guard let string = element as? String else {
                throw .invalidSpec(field: "\(field)[\(index)]", problem: "expected a string, found \(Self.kind(element)); put it in quotes")
            }
            return string
        }
    }

    func optionalArray(_ value: Any?, at field: String) throws(ModuleError) -> [Any]? {
        guard let value else { return nil }
        guard let list = value as? [Any] else { throw .invalidSpec(field: field, problem: "expected a list […], found \(Self.kind(value))") }
        return list
    }

    /// A non-negative whole number.
    func count(_ value: Any?, at field: String, unit: String) throws(ModuleError) -> Int? {
        guard let value else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number) else {
            throw .invalidSpec(field: field, problem: "expected a whole number of \(unit), found \(Self.kind(value))")
        }
        let double = number.doubleValue
        guard double >= 0, double == double.rounded(), double < 9e18 else {
            throw .invalidSpec(field: field, problem: "expected a whole number of \(unit) ≥ 0, found \(number)")
        }
        return Int(double)
    }

    /// JSON booleans arrive as NSNumber too (and on Linux `1 is Bool` holds), so ask the number its type.
    static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    static func kind(_ value: Any) -> String {
        switch value {
        case is NSNull: "null"
        case let number as NSNumber: isBoolean(number) ? "a boolean" : "a number"
        case let string as String: "the string \"\(string.prefix(40))\""
        case is [Any]: "a list"
        case is [String: Any]: "an object"
        default: "\(type(of: value))"
        }
    }
}

/// Bacalhau-style resource quantities.
enum ResourceQuantity {
    /// `"2"`, `"0.5"` (cores) or `"500m"` (millicores).
    static func millicores(_ text: String) -> Millicores? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("m"), let value = Int(trimmed.dropLast()), value >= 0 { return Millicores(value) }
        guard let cores = Double(trimmed), cores >= 0, cores.isFinite, cores < 1e12 else { return nil }
        return Millicores(Int((cores * 1000).rounded()))
    }

    /// A size with an optional unit: b, k/kb/ki/kib, m/…, g/…, t/…, p/… (any case). As Docker's
    /// `RAMInBytes` does, every unit is a power of 1024.
    static func bytes(_ text: String) -> ByteCount? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let amount = Double(digits), amount >= 0, amount.isFinite else { return nil }
        var unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        if unit.hasSuffix("ib") {
            unit.removeLast(2)
        } else if unit.hasSuffix("i") {
            unit.removeLast()
        } else if unit.count == 2, unit.hasSuffix("b") {
            unit.removeLast()
        }
        let exponent: Double
        switch unit {
        case "", "b": exponent = 0
        case "k": exponent = 1
        case "m": exponent = 2
        case "g": exponent = 3
        case "t": exponent = 4
        case "p": exponent = 5
        default: return nil
        }
        let value = amount * pow(1024, exponent)
        guard value < 9e18 else { return nil }
        return ByteCount(Int(value.rounded(.down)))
    }
}
