extension OCIIndex {
    /// The entry for `platform` (os, architecture, and variant when the platform names one).
    public func manifest(for platform: OCIPlatform) -> OCIDescriptor? {
        manifests.first { descriptor in
            guard let candidate = descriptor.platform else { return false }
            return candidate.os == platform.os && candidate.architecture == platform.architecture
                && (platform.variant == nil || candidate.variant == platform.variant)
        }
    }

    /// `os/architecture[/variant]` of every entry, for error messages.
    var platformNames: [String] {
        manifests.compactMap { descriptor in
            descriptor.platform.map { [$0.os, $0.architecture, $0.variant].compactMap { $0 }.joined(separator: "/") }
        }
    }
}
