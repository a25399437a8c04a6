#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Platform

/// Moves a task's stdout or stderr from its pipe into rotated log files. All pumps share one
/// epoll thread (Platform's `EventLoop`), so no thread waits per task. It ends by itself at EOF,
/// which comes when every process holding the pipe's write end (the task and anything it
/// forked) is gone.
///
/// Not a Dispatch read source: with hundreds of short tasks, creating and cancelling a read
/// source per pipe crashed libdispatch's epoll drain (`_dispatch_event_loop_drain`, a
/// use-after-free of a cancelled source's registration) about once in six runs of the
/// raw_exec exit-code test. A registration in Roost's own loop is removed before the pipe is closed.
final class TaskOutputPump: @unchecked Sendable {
    // Unchecked: `writer` and `ended` are only touched on the loop thread after `start`.
    private let writer: LogFileWriter?
    private let fd: Int32
    private var ended = false
    private let onEnd: @Sendable () -> Void

    /// One loop for all pumps: writes are short, and one thread keeps the thread count flat.
    /// Nil only if the kernel refuses an epoll instance; pumps then block in `read` on a queue.
    static let sharedLoop: EventLoop? = {
        guard let loop = try? EventLoop() else { return nil }
        loop.start(name: "roost-task-output")
        return loop
    }()

    /// Where pumps block on `read` when there is no loop.
    private static let fallbackQueue = DispatchQueue(label: "roost.task-output.blocking", attributes: .concurrent)

    /// `onEnd` runs once, after the last byte was written to the files.
    init(fd: Int32, writer: LogFileWriter?, onEnd: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.writer = writer
        self.onEnd = onEnd
    }

    func start() {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        guard let loop = Self.sharedLoop else {
            Self.fallbackQueue.async { [self] in blockingDrain() }
            return
        }
        loop.execute { [self] in
            do {
                try loop.register(fd, interest: [.readable]) { [self] _ in drain(loop) }
            } catch {
                finish(loop: nil)
                return
            }
            // Once at once: a reopened FIFO whose writers are all gone reads EOF, but epoll
            // reports no hangup for writers that left before it was opened.
            drain(loop)
        }
    }

    /// Stops reading (what is still in the pipe stays there for the next reader) and closes
    /// the pipe and the log file; `onEnd` runs as at EOF.
    func stop() {
        guard let loop = Self.sharedLoop else { return }
        loop.execute { [self] in finish(loop: loop) }
    }

    private func drain(_ loop: EventLoop) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        // Bounded per event so one chatty task cannot starve the others' pumps (level-triggered:
        // the rest comes in the next round).
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { writer?.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            // EOF or a read error: the task side is closed.
            finish(loop: loop)
            return
        }
    }

    private func finish(loop: EventLoop?) {
        guard !ended else { return }
        ended = true
        loop?.deregister(fd)
        close(fd)
        writer?.closeFile()
        onEnd()
    }

    /// The fallback without epoll: blocking reads on a thread of its own.
    private func blockingDrain() {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { writer?.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        finish(loop: nil)
    }
}
