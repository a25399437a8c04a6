import Foundation
import Scheduler

/// The time zones periodic jobs name, read from the system's time-zone database through
/// Foundation and handed to the pure cron core as an offset function.
enum PeriodicTimeZone {
    /// The zone for a `time_zone` value: an IANA name (`America/New_York`), `UTC` (also when
    /// empty, Nomad's default), or `Local` (the manager's own zone). Nil when unknown.
    static func zone(named name: String) -> CronTimeZone? {
        let identifier = name.isEmpty ? "UTC" : name
        let zone: TimeZone?
        if identifier == "Local" {
            zone = TimeZone.current
        } else {
            // Foundation also maps names such as "est"; only names the database spells exactly
            // are accepted, so a typo is an error rather than a surprise.
            zone = TimeZone(identifier: identifier).flatMap { identifier == "UTC" || $0.identifier == identifier ? $0 : nil }
        }
        guard let zone else { return nil }
        return CronTimeZone(name: identifier) { instant in
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
    }
}
