#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's own stdout, stderr and stdin. Writes go straight to the file descriptors,
/// unbuffered, so that output and errors interleave in the order they were produced.
public final class StandardConsole: Console, Sendable {
    public init() {}

    /// A terminal on standard output, unless NO_COLOR is set or the terminal is dumb.
    public var supportsColor: Bool {
        isatty(1) == 1 && getenv("NO_COLOR") == nil && String(cString: getenv("TERM") ?? strdup("dumb")) != "dumb"
    }

    public func writeOutput(_ text: String) {
        Self.emit(text, to: 1)
    }

    public func writeError(_ text: String) {
        Self.emit(text, to: 2)
    }

    public func readInput(limit: Int) throws(FileError) -> [UInt8] {
        try LocalFile.readAll(from: 0, limit: limit, describedAs: "standard input")
    }

    private static func emit(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // The reader went away; there is no one left to tell.
                }
                pointer += written
                remaining -= written
            }
        }
    }
}

