import AsyncHTTPClient
import Foundation
import NIOCore

extension DockerEngineClient {
    /// What `GET /containers/{id}/json` reports about the container's state.
    public struct ContainerState: Sendable, Decodable {
        public var status: String
        public var running: Bool
        public var oomKilled: Bool
        public var exitCode: Int32
        public var error: String?
        public var startedAt: String?
        public var finishedAt: String?

        enum CodingKeys: String, CodingKey {
            case status = "Status"
            case running = "Running"
            case oomKilled = "OOMKilled"
            case exitCode = "ExitCode"
            case error = "Error"
            case startedAt = "StartedAt"
            case finishedAt = "FinishedAt"
        }
    }

    /// Creates a container from a `POST /containers/create` body and returns its ID.
    public func createContainer(name: String, body: Data) async throws(Failure) -> String {
        struct Created: Decodable {
            var Id: String
        }
        let created: Created = try await json(
            .POST, "/containers/create", query: [("name", name)], body: body, operation: "create container \(name)")
        return created.Id
    }

    public func startContainer(_ id: String) async throws(Failure) {
        try await call(.POST, "/containers/\(id)/start", operation: "start container \(id.prefix(12))")
    }

    /// Waits until the container is no longer running and returns its exit code
    /// (`POST /containers/{id}/wait?condition=not-running`).
    public func waitContainer(_ id: String, deadline: NIODeadline = .now() + .hours(24)) async throws(Failure) -> Int32 {
        struct Waited: Decodable {
            struct Problem: Decodable {
                var message: String?
                enum CodingKeys: String, CodingKey { case message = "Message" }
            }
            var statusCode: Int32
            var problem: Problem?
            enum CodingKeys: String, CodingKey {
                case statusCode = "StatusCode"
                case problem = "Error"
            }
        }
        let operation = "wait for container \(id.prefix(12))"
        let waited: Waited = try await json(
            .POST, "/containers/\(id)/wait", query: [("condition", "not-running")], deadline: deadline, operation: operation)
        if let message = waited.problem?.message, !message.isEmpty { throw .refused(operation: operation, status: 200, message: message) }
        return waited.statusCode
    }

    /// The container's output, multiplexed (see ``DockerLogDemultiplexer``); with `follow`, the
    /// stream stays open until the container stops.
    public func containerLogs(
        _ id: String, follow: Bool, deadline: NIODeadline = .now() + .hours(24)
    ) async throws(Failure) -> HTTPClientResponse.Body {
        let response = try await send(
            .GET, "/containers/\(id)/logs", query: [("stdout", "1"), ("stderr", "1"), ("follow", follow ? "1" : "0")], deadline: deadline,
            operation: "read the output of container \(id.prefix(12))")
        return response.body
    }

    /// Attaches to the container's stdout and stderr (`POST /containers/{id}/attach?stream=1`):
    /// the engine hijacks the connection and sends the multiplexed stream (see
    /// ``DockerLogDemultiplexer``) until the container's streams close. Attach before starting the
    /// container to get all of its output; nothing passes through the engine's log files.
    public func attachContainer(_ id: String, deadline: NIODeadline = .now() + .hours(24)) async throws(Failure) -> HTTPClientResponse.Body {
        let response = try await send(
            .POST, "/containers/\(id)/attach", query: [("stream", "1"), ("stdout", "1"), ("stderr", "1"), ("logs", "0")], deadline: deadline,
            operation: "attach to container \(id.prefix(12))")
        return response.body
    }

    /// Sends `signal` to the container's main process. Killing a container that is not running is not an error.
    public func killContainer(_ id: String, signal: String = "KILL") async throws(Failure) {
        do {
            try await call(.POST, "/containers/\(id)/kill", query: [("signal", signal)], operation: "kill container \(id.prefix(12))")
        } catch let error where error.status == 409 {}  // not running
    }

    public func inspectContainer(_ id: String) async throws(Failure) -> ContainerState {
        struct Inspected: Decodable {
            var State: ContainerState
        }
        let inspected: Inspected = try await json(.GET, "/containers/\(id)/json", operation: "inspect container \(id.prefix(12))")
        return inspected.State
    }

    /// Whether the engine has logged an `oom` event for the container (`GET /events`, up to now):
    /// the kernel killed one of its processes for exceeding its memory limit. Docker 20.10 logs the
    /// event even when it arrives after the container stopped, too late to set `OOMKilled`.
    public func hasOutOfMemoryEvent(_ id: String) async throws(Failure) -> Bool {
        let filters = #"{"container":["\#(id)"],"event":["oom"]}"#
        let until = String(format: "%.6f", Date().timeIntervalSince1970)
        let response = try await send(
            .GET, "/events", query: [("since", "0"), ("until", until), ("filters", filters)], deadline: .now() + .seconds(10),
            operation: "read the events of container \(id.prefix(12))")
        let data = try await collect(response, upTo: 1 << 20, operation: "read the events of container \(id.prefix(12))")
        return data.contains(UInt8(ascii: "{"))
    }

    /// Removes the container, killing it first with `force`; a missing container is not an error.
    public func removeContainer(_ id: String, force: Bool = true) async throws(Failure) {
        do {
            try await call(
                .DELETE, "/containers/\(id)", query: [("force", force ? "1" : "0"), ("v", "1")], operation: "remove container \(id.prefix(12))")
        } catch let error where error.status == 404 {}
    }
}
