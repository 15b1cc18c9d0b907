import Foundation

/// A user name and password for a registry (Basic auth, or the token service's Basic auth).
public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Authorization: Basic …`.
    var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    /// The credentials in a docker `config.json` (`auths[host].auth`, base64 `user:password`), keyed
    /// by registry host as ``ImageReference/registry`` spells it. The file is
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; none is an empty result.
    public static func fromDockerConfig(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: RegistryCredentials] {
        let path: String
        if let folder = environment["DOCKER_CONFIG"], !folder.isEmpty {
            path = folder + "/config.json"
        } else if let home = environment["HOME"], !home.isEmpty {
            path = home + "/.docker/config.json"
        } else {
            return [:]
        }
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return parseDockerConfig(data)
    }

    /// Reads the `auths` of a docker `config.json`.
    static func parseDockerConfig(_ data: Data) -> [String: RegistryCredentials] {
        struct File: Decodable {
            struct Entry: Decodable { var auth: String? }
            var auths: [String: Entry]?
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else { return [:] }
        var result: [String: RegistryCredentials] = [:]
        for (key, entry) in file.auths ?? [:] {
            guard let auth = entry.auth, let decoded = Data(base64Encoded: auth), let text = String(data: decoded, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else { continue }
            result[host(ofConfigKey: key)] = RegistryCredentials(
                username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
        return result
    }

    /// `https://index.docker.io/v1/` → `registry-1.docker.io`; `http://host:5000/x` → `host:5000`.
    static func host(ofConfigKey key: String) -> String {
        var host = Substring(key)
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        let name = String(host)
        return ImageReference.dockerHubAliases.contains(name) ? ImageReference.dockerHubRegistry : name
    }
}
