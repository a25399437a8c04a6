#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock, read in one place: the pure cores take `now` as a parameter and the shells
/// get it from here.
public enum ClockSource {
    /// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
    public static func wallNanosecondsSinceEpoch() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec)
    }
}
