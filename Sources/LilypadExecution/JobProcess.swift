import Foundation

/// The process a job runs, resolved as Docker does from the image's defaults and the request.
public struct JobProcess: Sendable, Hashable {
    /// The default `PATH` when neither the image nor the job sets one (Docker's).
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Entrypoint followed by command.
    public var arguments: [String]
    /// `NAME=value` pairs: the image's, then the job's; a later duplicate replaces the value in place.
    public var environment: [EnvironmentVariable]
    public var workingDirectory: String
    public var uid: UInt32
    public var gid: UInt32

    public struct EnvironmentVariable: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(arguments: [String], environment: [EnvironmentVariable], workingDirectory: String, uid: UInt32, gid: UInt32) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.uid = uid
        self.gid = gid
    }

    /// Resolves `request` against its image: entrypoint and command (a job's entrypoint drops the
    /// image's command, as in Docker), environment, working directory and user (names are looked up
    /// in the image's `/etc/passwd` and `/etc/group`).
    public static func resolve(_ request: ExecutionRequest) throws(ExecutionError) -> JobProcess {
        let image = request.image
        let config = image.configuration
        let entrypoint = request.entrypoint ?? config.entrypoint ?? []
        let command = request.command ?? (request.entrypoint == nil ? config.command ?? [] : [])
        let arguments = entrypoint + command
        guard let first = arguments.first, !first.isEmpty else {
            throw .invalidImage(reference: image.reference, reason: "it has no Entrypoint or Cmd, and the job gives no command")
        }
        let workingDirectory = request.workingDirectory ?? config.workingDirectory.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        guard workingDirectory.hasPrefix("/") else {
            throw .invalidRequest("the working directory \(workingDirectory) is not an absolute path")
        }
        let (uid, gid, home) = try resolveUser(request.user ?? config.user ?? "", image: image)

        var environment: [EnvironmentVariable] = []
        func set(_ name: String, _ value: String) {
            if let index = environment.firstIndex(where: { $0.name == name }) {
                environment[index].value = value
            } else {
                environment.append(EnvironmentVariable(name, value))
            }
        }
        for entry in config.environment ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty else { continue }
            set(String(name), parts.count > 1 ? String(parts[1]) : "")
        }
        for (name, value) in request.environment {
            guard !name.isEmpty, !name.contains("=") else { throw .invalidRequest("environment variable name \"\(name)\" is not valid") }
            set(name, value)
        }
        if !environment.contains(where: { $0.name == "PATH" }) { environment.insert(EnvironmentVariable("PATH", defaultPath), at: 0) }
        if !environment.contains(where: { $0.name == "HOME" }) { environment.append(EnvironmentVariable("HOME", home)) }
        return JobProcess(arguments: arguments, environment: environment, workingDirectory: workingDirectory, uid: uid, gid: gid)
    }

    /// `user[:group]`, each numeric or a name from the image; empty means root.
    static func resolveUser(_ spec: String, image: ExecutionImage) throws(ExecutionError) -> (uid: UInt32, gid: UInt32, home: String) {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts.first ?? ""
        let groupPart = parts.count > 1 ? parts[1] : nil
        let passwd = RootfsReader.read("/etc/passwd", in: image.rootfs).map(Self.parseDatabase) ?? []
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        var home = "/"
        if userPart.isEmpty {
            home = passwd.first { $0.count > 5 && $0[2] == "0" }?[5] ?? "/root"
        } else if let number = UInt32(userPart) {
            uid = number
            if let entry = passwd.first(where: { $0.count > 5 && $0[2] == userPart }) {
                gid = UInt32(entry[3]) ?? 0
                home = entry[5]
            }
        } else if let entry = passwd.first(where: { $0.count > 5 && $0[0] == userPart }), let number = UInt32(entry[2]) {
            uid = number
            gid = UInt32(entry[3]) ?? 0
            home = entry[5]
        } else {
            throw .invalidImage(reference: image.reference, reason: "user \"\(userPart)\" is not in the image's /etc/passwd")
        }
        if let groupPart, !groupPart.isEmpty {
            if let number = UInt32(groupPart) {
                gid = number
            } else {
                let groups = RootfsReader.read("/etc/group", in: image.rootfs).map(Self.parseDatabase) ?? []
                guard let entry = groups.first(where: { $0.count > 2 && $0[0] == groupPart }), let number = UInt32(entry[2]) else {
                    throw .invalidImage(reference: image.reference, reason: "group \"\(groupPart)\" is not in the image's /etc/group")
                }
                gid = number
            }
        }
        return (uid, gid, home.isEmpty ? "/" : home)
    }

    private static func parseDatabase(_ text: String) -> [[String]] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    }
}
