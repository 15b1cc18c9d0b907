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
        var headers = HTTPFields()
        for (name, value) in signedUpgrade(after: seq).fields {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        do {
            try await EventWebSocket.follow(
                url: url, headers: headers, maxFrameSize: 16 << 20, logger: logger, connected: connected, onEvent: onEvent)
        } catch {
            switch error {
            case .malformed(let reason): throw .unexpected(status: 101, detail: "an event that is not a solver event: \(reason)")
            case .broken(let reason): throw .unreachable(url: url, reason: reason)
            }
        }
    }

    /// The signature of the upgrade request (`GET /api/v1/ws?after=N`, empty body).
    func signedUpgrade(after seq: Int) -> SignedRequest {
        SignedRequest.sign(method: "GET", target: "/api/v1/ws?after=\(seq)", audience: authority, body: [UInt8](), key: key)
    }
}
