import AsyncHTTPClient

extension HTTPClient {
    /// The HTTP client Lilypad's service clients share by default (``LedgerClient``, the solver's
    /// client): like `HTTPClient.shared`, with room for many connections to one host.
    ///
    /// One process often holds many parties at once — a local network's provider and mediator,
    /// a gateway's job creators, a load test's creators — and each keeps a long poll open on the
    /// solver. With AsyncHTTPClient's default of 8 connections per host, eight waiting polls hold
    /// every connection and all other requests queue behind them until a poll times out (seen as
    /// 25–50 s stalls per deal).
    public static let lilypad: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1024
        configuration.connectionPool.idleTimeout = .seconds(60)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
