// The Manager target: state, evaluation broker, scheduler workers, plan applier, API (DESIGN.md §3).
