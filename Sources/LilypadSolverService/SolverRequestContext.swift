import Hummingbird
import NIOCore

/// The solver's request context: Hummingbird's core context plus the peer's socket address, which
/// the rate limiter keys on.
public struct SolverRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The address of the connection's other end (`nil` if the channel has none).
    public let remoteAddress: SocketAddress?

    /// Builds the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
