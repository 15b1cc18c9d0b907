import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging

/// A service's event stream over a WebSocket, one JSON message per event: what the ledger's and
/// the solver's clients follow.
public enum EventWebSocket {
    /// Why following the stream stopped early.
    public enum Failure: Error, Sendable {
        /// A message that does not decode as an event.
        case malformed(String)
        /// The connection could not be made, the upgrade was refused, or the connection broke.
        case broken(String)
    }

    /// Connects to `url` (with `headers` on the upgrade) and passes each decoded message to
    /// `onEvent`, in order, the next read after it returns. Returns when the service closes the
    /// stream or the task is cancelled.
    public static func follow<Event: Decodable & SendableMetatype>(
        url: String, headers: HTTPFields = [:], maxFrameSize: Int, logger: Logger, connected: @escaping @Sendable () -> Void,
        onEvent: @escaping @Sendable (Event) async -> Void
    ) async throws(Failure) {
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxFrameSize, additionalHeaders: headers, autoPing: .enabled(timePeriod: .seconds(30)))
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, _, _ in
                connected()
                let decoder = JSONDecoder()
                for try await message in inbound.messages(maxSize: maxFrameSize) {
                    guard case .text(let text) = message else { continue }
                    let event: Event
                    do { event = try decoder.decode(Event.self, from: Data(text.utf8)) } catch { throw Failure.malformed("\(error)") }
                    await onEvent(event)
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            throw .broken("\(error)")
        }
    }
}
