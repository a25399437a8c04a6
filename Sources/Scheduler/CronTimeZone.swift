/// A time zone as the cron core needs it: the offset from UTC in effect at an instant. The
/// core stays pure (no time-zone database); the manager builds one from Foundation's
/// `TimeZone`, and tests can build fixed or hand-made ones.
public struct CronTimeZone: Sendable {
    /// The zone's name, for messages (`America/New_York`).
    public let name: String
    /// Seconds east of UTC at the given instant (seconds since the Unix epoch).
    public let offset: @Sendable (Int64) -> Int64

    public init(name: String, offset: @escaping @Sendable (Int64) -> Int64) {
        self.name = name
        self.offset = offset
    }

    public static let utc = CronTimeZone(name: "UTC") { _ in 0 }

    /// A zone that never changes its offset.
    public static func fixed(name: String, secondsEastOfUTC: Int64) -> CronTimeZone {
        CronTimeZone(name: name) { _ in secondsEastOfUTC }
    }
}
