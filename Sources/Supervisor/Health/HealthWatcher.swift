import ClusterModel

/// The shell around one allocation's `AllocationHealthInstance`: it runs the probes the core
/// asks for through a `CheckProber`, wakes the core when its next deadline comes on a
/// `HealthClock`, and hands restarts and changed snapshots to its owner (the allocation
/// runner). Events go through one ordered stream, so task states, probe answers and timer
/// wake-ups reach the core in the order they happened.
///
/// Lifetime: from `init` until `stop()`; in-flight probes then finish and are ignored.
actor HealthWatcher {
    private enum Event: Sendable {
        case tasks([String: TaskState])
        case probeFinished(check: Int, attempt: UInt64, outcome: CheckOutcome)
        case wake
    }

    private var core: AllocationHealthInstance
    private let prober: any CheckProber
    private let clock: any HealthClock
    private let onRestart: @Sendable (_ task: String, _ message: String) -> Void
    private let onChange: @Sendable (HealthSnapshot) -> Void
    private let events: AsyncStream<Event>.Continuation
    private var wakeTimer: Task<Void, Never>?
    private var published: HealthSnapshot
    private var stopped = false

    /// The shortest sleep between wake-ups, so clock skew between a sleep and `now()` cannot spin.
    static let minimumSleep: Duration = .milliseconds(5)

    init(
        core: AllocationHealthInstance, prober: any CheckProber, clock: any HealthClock,
        onRestart: @escaping @Sendable (_ task: String, _ message: String) -> Void,
        onChange: @escaping @Sendable (HealthSnapshot) -> Void
    ) {
        self.core = core
        self.prober = prober
        self.clock = clock
        self.onRestart = onRestart
        self.onChange = onChange
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        events = continuation
        published = HealthSnapshot(version: 0, checksByTask: core.checkStatusesByTask, verdict: nil)
        Task { [weak self] in
            // Lives until stop() finishes the stream (or the watcher is gone).
            for await event in stream {
                guard let self else { return }
                await self.handle(event)
            }
        }
    }

    /// The snapshot the watcher starts from (the checks in their initial status).
    var initialSnapshot: HealthSnapshot { published }

    /// The allocation's task states changed. Nonisolated and ordered: the runner calls it
    /// from inside its own actor as it publishes.
    nonisolated func observe(_ states: [String: TaskState]) {
        events.yield(.tasks(states))
    }

    /// Stops probing; later events and answers are dropped.
    func stop() {
        stopped = true
        wakeTimer?.cancel()
        wakeTimer = nil
        events.finish()
    }

    // MARK: Events

    private func handle(_ event: Event) {
        guard !stopped else { return }
        let now = clock.now()
        let directives: [HealthDirective]
        switch event {
        case .tasks(let states):
            directives = core.tasksChanged(states, now: now)
        case .probeFinished(let check, let attempt, let outcome):
            directives = core.probeFinished(check: check, attempt: attempt, outcome: outcome, now: now)
        case .wake:
            directives = core.advance(now: now)
        }
        perform(directives)
        publishIfChanged()
        rearm(now: now)
    }

    private func perform(_ directives: [HealthDirective]) {
        for directive in directives {
            switch directive {
            case .probe(let index, let attempt):
                let target = core.checks[index].definition.target
                let timeout = core.checks[index].definition.timeout
                let prober = prober
                let events = events
                Task {
                    // Lives for one probe (bounded by the check's timeout in the prober).
                    let outcome = await prober.probe(target, timeout: timeout)
                    events.yield(.probeFinished(check: index, attempt: attempt, outcome: outcome))
                }
            case .restart(let task, let message):
                onRestart(task, message)
            }
        }
    }

    private func publishIfChanged() {
        let checks = core.checkStatusesByTask
        let verdict = core.verdict
        guard checks != published.checksByTask || verdict != published.verdict else { return }
        published = HealthSnapshot(version: published.version &+ 1, checksByTask: checks, verdict: verdict)
        onChange(published)
    }

    private func rearm(now: Timestamp) {
        wakeTimer?.cancel()
        wakeTimer = nil
        guard let next = core.nextWakeup else { return }
        // Capped so a far deadline (a user's huge healthy_deadline) is a long nap, not an overflow.
        let delay = min(max(next - now, Self.minimumSleep), .seconds(3600))
        let clock = clock
        let events = events
        wakeTimer = Task {
            // Lives until the core's next deadline, or until a newer event re-arms it.
            do {
                try await clock.sleep(for: delay)
            } catch {
                return
            }
            events.yield(.wake)
        }
    }
}
