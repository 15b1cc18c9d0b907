import Foundation
import HummingbirdWSClient
import LilypadLedger
import Logging

extension LedgerClient {
    /// The WebSocket URL of the event stream: `ws(s)://…/api/v1/events/ws?after=H`.
    public func eventStreamURL(after height: UInt64) -> String {
        ServiceURL.webSocket(baseURL) + "/api/v1/events/ws?after=\(height)"
    }

    /// Follows the ledger's events over its WebSocket: first the events of every block after
    /// `height`, then each new event as its block is committed, each passed to `onEvent` in order.
    ///
    /// One connection: it returns when the ledger closes it (or the task is cancelled), and throws
    /// ``Failure/unreachable(url:reason:)`` when it cannot connect or the connection breaks. Callers
    /// that must not miss events reconnect with `after` set to the last height they saw.
    ///
    /// - Parameters:
    ///   - connected: called once the WebSocket upgrade succeeded, before any event.
    ///   - onEvent: called for each event, in block order; the next is read after it returns.
    public func followEvents(
        after height: UInt64, logger: Logger, connected: @escaping @Sendable () -> Void = {},
        onEvent: @escaping @Sendable (LedgerAPI.EventRecord) async -> Void
    ) async throws(Failure) {
        let url = eventStreamURL(after: height)
        do {
            try await EventWebSocket.follow(url: url, maxFrameSize: 1 << 20, logger: logger, connected: connected, onEvent: onEvent)
        } catch {
            switch error {
            case .malformed(let reason): throw .unexpected(status: 101, detail: "an event that is not a ledger event record: \(reason)")
            case .broken(let reason): throw .unreachable(url: url, reason: reason)
            }
        }
    }
}
