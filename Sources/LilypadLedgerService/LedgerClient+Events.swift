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
        let maxSize = 1 << 20
        let configuration = WebSocketClientConfiguration(maxFrameSize: maxSize, autoPing: .enabled(timePeriod: .seconds(30)))
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, _, _ in
                connected()
                let decoder = JSONDecoder()
                for try await message in inbound.messages(maxSize: maxSize) {
                    guard case .text(let text) = message else { continue }
                    let record: LedgerAPI.EventRecord
                    do { record = try decoder.decode(LedgerAPI.EventRecord.self, from: Data(text.utf8)) } catch {
                        throw Failure.unexpected(status: 101, detail: "an event that is not a ledger event record: \(error)")
                    }
                    await onEvent(record)
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
}
