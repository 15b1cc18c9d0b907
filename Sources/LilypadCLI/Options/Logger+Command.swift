import Foundation
import Logging

extension Logger {
    /// A command's logger, at the level `LOG_LEVEL` names (trace, debug, info, notice, warning,
    /// error, critical), else at `fallback`.
    static func command(
        _ label: String, fallback: Level = .info, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Level(rawValue: $0.lowercased()) } ?? fallback
        return logger
    }
}
