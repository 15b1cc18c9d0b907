import Foundation
import Hummingbird
import LilypadAgents
import LilypadCore
import LilypadSolverService

extension AnuraGateway {
    /// What the job behind a streamed completion reports.
    enum ChatEvent: Sendable {
        case progress(JobCreator.Progress)
        /// One `data:` payload (a chunk the model module printed).
        case chunk(String)
        /// The live relay of the provider's output ended.
        case liveEnded
        case done(JobCreator.Outcome)
        case failed(AnuraError)
    }

    /// `POST /api/v1/chat/completions`.
    func chatCompletion(_ request: Request, key: APIKeyStore.Record) async throws(AnuraError) -> Response {
        let (bytes, body) = try await Self.jsonObject(request)
        let entry = try await model(body["model"] as? String, kind: .chat)
        guard let messages = body["messages"] as? [Any], !messages.isEmpty else {
            throw .invalidRequest("`messages` must be a non-empty array", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            guard let message = message as? [String: Any], let role = message["role"] as? String,
                ["system", "developer", "user", "assistant", "tool"].contains(role)
            else {
                throw .invalidRequest("messages[\(index)] needs a `role` of system, developer, user, assistant or tool", param: "messages")
            }
        }
        let inputs = ["Request": Self.base64(bytes)]
        if (body["stream"] as? Bool) == true { return streamedCompletion(entry: entry, inputs: inputs, key: key) }
        let offerID = OnceBox<String>()
        let outcome = try await runJob(module: entry.module, inputs: inputs, key: key) { progress in
            if case .offerPosted(let id) = progress { offerID.set(id) }
        }
        var response = try Self.output(outcome, "response.json")
        response["id"] = "jobId-\(offerID.value ?? outcome.dealID)-jobState-ResultsSubmitted"
        response["model"] = entry.id
        response["system_fingerprint"] = ""
        recordTokens(response["usage"], key: key)
        return try Self.json(response)
    }

    func recordTokens(_ usage: Any?, key: APIKeyStore.Record) {
        guard let usage = usage as? [String: Any] else { return }
        try? keys.recordUsage(
            id: key.id, promptTokens: usage["prompt_tokens"] as? Int ?? 0, completionTokens: usage["completion_tokens"] as? Int ?? 0)
    }

    /// Server-sent events: Lilypad's job-state chunks (`jobId-…-jobState-DealAgreed`, …) first,
    /// then the model's own chunks as the provider's module produces them (relayed live through the
    /// solver, ``SolverClient/liveOutput(dealID:)``), then `data: [DONE]`. Chunks the live relay did
    /// not deliver come from the verified results afterwards, so none is lost or repeated. A client
    /// that disconnects stops the relay and the job's follow-up (withdrawing its offer if no
    /// provider took it yet).
    func streamedCompletion(entry: ModelCatalog.Entry, inputs: [String: String], key: APIKeyStore.Record) -> Response {
        let gateway = self
        let body = ResponseBody { writer in
            let (events, continuation) = AsyncStream<ChatEvent>.makeStream(bufferingPolicy: .bufferingNewest(65_536))
            let job = Task {
                do throws(AnuraError) {
                    let outcome = try await gateway.runJob(module: entry.module, inputs: inputs, key: key) { continuation.yield(.progress($0)) }
                    continuation.yield(.done(outcome))
                } catch {
                    continuation.yield(.failed(error))
                }
            }
            var offerID = ""
            var live: Task<Void, Never>?
            var liveDone = true
            var delivered = 0
            var outcome: JobCreator.Outcome?
            let created = Int(Date().timeIntervalSince1970)
            func send(_ payload: String) async throws {
                try await writer.write(ByteBuffer(string: "data: " + payload + "\n\n"))
            }
            func sendModelChunk(_ payload: String) async throws {
                if payload.contains("\"usage\""),
                    let usage = (try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])?["usage"]
                {
                    gateway.recordTokens(usage, key: key)
                }
                delivered += 1
                try await send(payload)
            }
            defer {
                live?.cancel()
                job.cancel()
                continuation.finish()
            }
            loop: for await event in events {
                switch event {
                case .progress(.offerPosted(let id)):
                    offerID = id
                    try await send(Self.stateChunk(offerID: id, state: .dealNegotiating, model: entry.id, created: created))
                case .progress(.state(let state, let dealID)):
                    if live == nil, !dealID.isEmpty, let account = try? gateway.account(for: key) {
                        liveDone = false
                        live = Task {
                            await Self.relay(
                                dealID: dealID, solver: SolverClient(baseURL: gateway.configuration.network.solverURL, key: account),
                                into: continuation)
                        }
                    }
                    if !offerID.isEmpty, state != .dealNegotiating {
                        try await send(Self.stateChunk(offerID: offerID, state: state, model: entry.id, created: created))
                    }
                case .progress:
                    continue
                case .chunk(let payload):
                    try await sendModelChunk(payload)
                case .liveEnded:
                    liveDone = true
                    if outcome != nil { break loop }
                case .done(let finished):
                    outcome = finished
                    if liveDone { break loop }
                    // The relay ends when the provider closes the stream; do not wait long for a lost one.
                    Task { [live] in
                        try? await Task.sleep(for: .seconds(3))
                        live?.cancel()
                    }
                case .failed(let error):
                    try await send(String(decoding: error.body, as: UTF8.self))
                    outcome = nil
                    break loop
                }
            }
            if let outcome {
                for payload in Self.chunks(in: outcome).dropFirst(delivered) { try await sendModelChunk(payload) }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// Relays a deal's live stdout: each complete `data: …` line becomes a ``ChatEvent/chunk(_:)``;
    /// ends with ``ChatEvent/liveEnded``.
    static func relay(dealID: String, solver: SolverClient, into continuation: AsyncStream<ChatEvent>.Continuation) async {
        var carry: [UInt8] = []
        do {
            for try await bytes in solver.liveOutput(dealID: dealID) {
                carry += bytes
                while let newline = carry.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: carry[..<newline], as: UTF8.self)
                    carry.removeSubrange(...newline)
                    if line.hasPrefix("data: ") { continuation.yield(.chunk(String(line.dropFirst(6)))) }
                }
            }
        } catch {}
        continuation.yield(.liveEnded)
    }

    /// Anura's job-state chunk: an empty assistant delta whose id names the job and its state.
    static func stateChunk(offerID: String, state: AgreementState, model: String, created: Int) -> String {
        let chunk: [String: Any] = [
            "id": "jobId-\(offerID)-jobState-\(state.name)", "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": "",
            "choices": [["index": 0, "delta": ["role": "assistant", "content": NSNull()], "finish_reason": NSNull()]],
            "usage": ["prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: chunk, options: [.withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The `data:` payloads the model module printed on stdout, in order.
    static func chunks(in outcome: JobCreator.Outcome) -> [String] {
        let stdout = (try? String(contentsOf: outcome.folder.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
        return stdout.split(separator: "\n").compactMap { line in line.hasPrefix("data: ") ? String(line.dropFirst(6)) : nil }
    }
}
