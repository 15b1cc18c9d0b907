/// URLs of Lilypad's services (the ledger, the solver) as their clients derive them.
public enum ServiceURL {
    /// The WebSocket form of a service's base URL: `http://` → `ws://`, `https://` → `wss://`
    /// (anything else is kept as given).
    public static func webSocket(_ baseURL: String) -> String {
        if baseURL.hasPrefix("https://") { return "wss://" + baseURL.dropFirst("https://".count) }
        if baseURL.hasPrefix("http://") { return "ws://" + baseURL.dropFirst("http://".count) }
        return baseURL
    }
}
