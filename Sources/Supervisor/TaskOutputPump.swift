#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Platform

/// Moves a task's stdout or stderr from its pipe into rotated log files, on a Dispatch read
/// source so that no thread waits per task. It ends by itself at EOF, which comes when every
/// process holding the pipe's write end (the task and anything it forked) is gone.
final class TaskOutputPump: @unchecked Sendable {
    // Unchecked: `writer` and `source` are only touched on `queue` after `start`.
    private let queue: DispatchQueue
    private let writer: LogFileWriter?
    private let fd: Int32
    private var source: (any DispatchSourceRead)?
    private let onEnd: @Sendable () -> Void

    /// One queue for all pumps: writes are short, and one queue keeps the thread count flat.
    static let sharedQueue = DispatchQueue(label: "roost.task-output")

    /// `onEnd` runs once, after the last byte was written to the files.
    init(fd: Int32, writer: LogFileWriter?, onEnd: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.writer = writer
        self.onEnd = onEnd
        self.queue = Self.sharedQueue
    }

    func start() {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        queue.async { [self] in
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [self] in drain() }
            source.setCancelHandler { [self] in
                close(fd)
                writer?.closeFile()
                onEnd()
            }
            self.source = source
            source.resume()
        }
    }

    /// Stops reading (what is still in the pipe stays there for the next reader) and closes
    /// the pipe and the log file; `onEnd` runs as at EOF.
    func stop() {
        queue.async { [self] in
            source?.cancel()
            source = nil
        }
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        // Bounded per event so one chatty task cannot starve the others' pumps.
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { writer?.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            // EOF or a read error: the task side is closed.
            source?.cancel()
            source = nil
            return
        }
    }
}
