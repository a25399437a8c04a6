import ClusterModel

/// A clock the tests move by hand: the cores never read time, so every instant is explicit.
struct TestClock {
    var now = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)

    mutating func advance(_ duration: Duration) {
        now = now + duration
    }
}
