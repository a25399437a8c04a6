import Foundation

/// The thread a `RaftShell` runs on: the actor's executor, and the executor its loop's tasks
/// prefer.
///
/// Why a thread of its own: the loop writes the log and waits for its fsync in place, so
/// everything a Ready needs (persist, send, apply, the next Ready) happens on one thread
/// with no hand-off. Before, each Ready went shell → WAL thread → shell through the shared
/// pool, and every hop was a thread wakeup: at a few thousand puts a second the wakeups, not
/// the Raft work or the disk, were the cost. Blocking on fsync here is fine: this thread
/// belongs to the shell alone, and proposals and peers' frames wait in the inbox meanwhile
/// (one fsync per batch, as before).
///
/// After `finish()` (the shell shut down) the thread exits once idle; a job that still comes
/// (a late call on the shell) starts a thread again, so nothing ever waits forever.
final class RaftShellExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `condition`.
    private let name: String
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false
    private var threadRunning = false

    init(name: String) {
        self.name = name
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        let startThread = !threadRunning
        threadRunning = true
        condition.signal()
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in run() }
            thread.name = name
            thread.start()
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread exit once it has nothing to run.
    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                threadRunning = false
                condition.unlock()
                return
            }
            let batch = jobs
            jobs = []
            condition.unlock()
            for job in batch {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
        }
    }
}
