import Foundation
import HTTPTypes
import HummingbirdWSClient
import LilypadCore
import LilypadCrypto
import LilypadLedgerService
import Logging

extension SolverClient {
    /// The WebSocket URL of the signer's event stream: `ws(s)://…/api/v1/ws?after=N`.
    public func eventStreamURL(after seq: Int) -> String {
        ServiceURL.webSocket(baseURL) + "/api/v1/ws?after=\(seq)"
    }

    /// Follows the signer's events over the solver's WebSocket: first every stored event after
    /// `seq` that concerns the signer, then each new one as it happens, each passed to `onEvent`
    /// in order. The upgrade request is signed like every other request, so the solver knows whose
    /// events to send and sends no one else's.
    ///
    /// One connection: it returns when the solver closes it (or the task is cancelled), and throws
    /// ``Failure/unreachable(url:reason:)`` when it cannot connect, the upgrade is refused, or the
    /// connection breaks. Callers that must not miss events reconnect with `after` set to the last
    /// `seq` they saw.
    ///
    /// - Parameters:
    ///   - connected: called once the WebSocket upgrade succeeded, before any event.
    ///   - onEvent: called for each event, in order; the next is read after it returns.
    public func followEvents(
        after seq: Int, logger: Logger, connected: @escaping @Sendable () -> Void = {},
        onEvent: @escaping @Sendable (SolverEvent) async -> Void
    ) async throws(Failure) {
        let url = eventStreamURL(after: seq)
        let maxSize = 16 << 20
        var headers = HTTPFields()
        let signed = signedUpgrade(after: seq)
        for (name, value) in signed.fields {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxSize, additionalHeaders: headers, autoPing: .enabled(timePeriod: .seconds(30)))
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, _, _ in
                connected()
                let decoder = JSONDecoder()
                for try await message in inbound.messages(maxSize: maxSize) {
                    guard case .text(let text) = message else { continue }
                    let event: SolverEvent
                    do { event = try decoder.decode(SolverEvent.self, from: Data(text.utf8)) } catch {
                        throw Failure.unexpected(status: 101, detail: "an event that is not a solver event: \(error)")
                    }
                    await onEvent(event)
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            throw .unreachable(url: url, reason: "\(error)")
        }
    }

    /// The signature of the upgrade request (`GET /api/v1/ws?after=N`, empty body).
    func signedUpgrade(after seq: Int) -> SignedRequest {
        SignedRequest.sign(method: "GET", target: "/api/v1/ws?after=\(seq)", audience: authority, body: [UInt8](), key: key)
    }
}
