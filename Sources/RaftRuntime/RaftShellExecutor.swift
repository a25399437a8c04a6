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
/// Another thread may also run the shell's code, alone, while the executor is idle
/// (`runIfIdle`): the transport's reading threads do, so that a frame is carried out by the
/// thread that read it, without waking this one.
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
    /// The thread running the shell's code now (this executor's, or one in `runIfIdle`), if any.
    private var owner: pthread_t?

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

    /// Runs `body` on the calling thread with the executor's exclusivity, if nothing runs or
    /// waits to run; false (and `body` not run) otherwise. `body` may use `assumeIsolated` on
    /// the shell. Call it only from a thread that is not running a task.
    func runIfIdle(_ body: () -> Void) -> Bool {
        condition.lock()
        guard owner == nil, jobs.isEmpty else {
            condition.unlock()
            return false
        }
        owner = pthread_self()
        condition.unlock()
        body()
        condition.lock()
        owner = nil
        // Jobs queued meanwhile waited for this thread to let go.
        if !jobs.isEmpty { condition.signal() }
        condition.unlock()
        return true
    }

    /// The isolation check behind `assumeIsolated` when no job of this executor is running
    /// on the thread: true inside `runIfIdle` on its thread.
    func checkIsolated() {
        precondition(isIsolatingCurrentContext() == true, "not on the Raft shell's executor")
    }

    func isIsolatingCurrentContext() -> Bool? {
        condition.lock()
        defer { condition.unlock() }
        guard let owner else { return false }
        return pthread_equal(owner, pthread_self()) != 0
    }

    private func run() {
        while true {
            condition.lock()
            // Waits for a job it may run; an inline runner holding the executor signals when
            // it lets go. Once finished, the thread exits when nothing is left (a job queued
            // after that starts a new thread).
            while (jobs.isEmpty || owner != nil) && !(finished && jobs.isEmpty) { condition.wait() }
            if jobs.isEmpty {
                threadRunning = false
                condition.unlock()
                return
            }
            let batch = jobs
            jobs = []
            owner = pthread_self()
            condition.unlock()
            for job in batch {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
            condition.lock()
            owner = nil
            condition.unlock()
        }
    }
}
