/// Version information.
public enum LilypadVersion {
    /// This implementation's semantic version, as sent in `X-Lilypad-Version`.
    public static let current = "v0.1.0"
    /// The Lilypad release whose wire format (JSON, IDs, states) this implementation follows.
    public static let protocolCompatibility = "v2.23.0"
}
