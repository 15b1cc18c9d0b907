import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The solver's request context: Hummingbird's core context, the peer's socket address (which the
/// rate limiter keys on), and the WebSocket upgrade handler (the event stream).
public struct SolverRequestContext: RequestContext, RemoteAddressRequestContext, WebSocketRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The address of the connection's other end (`nil` if the channel has none).
    public let remoteAddress: SocketAddress?
    /// The WebSocket handler set by an upgrade route.
    public let webSocket: WebSocketHandlerReference<Self>

    /// Builds the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        webSocket = .init()
    }
}
