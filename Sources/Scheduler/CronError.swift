/// Why a cron expression was refused. The message names the field, the offending text and the
/// whole expression, so a user with several `crons` knows which one to fix and how.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
