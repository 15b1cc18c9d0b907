import Foundation
import LilypadCore
import Synchronization

/// The jobs started through the gateway that clients poll (`audio/create-job`, `cowsay`, and any
/// job for `jobs/:id`), by job offer id.
public final class AnuraJobBook: Sendable {
    /// One job as the gateway knows it.
    public struct Entry: Sendable, Hashable {
        /// The API key that started it (only it may read it).
        public var keyID: String
        public var model: String
        public var module: String
        /// Lilypad's state name (`DealNegotiating`, `DealAgreed`, `ResultsSubmitted`, …).
        public var state = AgreementState.dealNegotiating.name
        public var dealID = ""
        /// The results folder once the job is done.
        public var folder: URL?
        /// Why it failed, if it did.
        public var failure: String?

        public var isFinished: Bool { folder != nil || failure != nil }
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    func insert(_ id: String, _ entry: Entry) { entries.withLock { $0[id] = entry } }

    func update(_ id: String, _ change: (inout Entry) -> Void) {
        entries.withLock { entries in
            guard var entry = entries[id] else { return }
            change(&entry)
            entries[id] = entry
        }
    }

    /// The job `id` if `keyID` started it.
    public func entry(_ id: String, keyID: String) -> Entry? {
        entries.withLock { $0[id] }.flatMap { $0.keyID == keyID ? $0 : nil }
    }
}
