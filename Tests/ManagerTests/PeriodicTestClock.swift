import ClusterModel
import Foundation
import Synchronization

/// A wall clock the test moves by hand, shared by every manager of a test: the launcher reads
/// it, nothing sleeps on it.
final class PeriodicTestClock: Sendable {
    private let now: Mutex<Timestamp>

    init(_ start: Timestamp) {
        now = Mutex(start)
    }

    var read: @Sendable () -> Timestamp { { [self] in now.withLock { $0 } } }

    func set(_ time: Timestamp) {
        now.withLock { $0 = time }
    }

    /// A UTC wall time as a Timestamp (and the seconds of it).
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
        return Timestamp(nanosecondsSinceEpoch: Int64(date.timeIntervalSince1970) * 1_000_000_000)
    }

    static func seconds(_ time: Timestamp) -> Int64 { time.nanosecondsSinceEpoch / 1_000_000_000 }
}
