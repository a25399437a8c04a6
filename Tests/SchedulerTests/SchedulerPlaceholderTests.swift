import Testing

// Placeholder so the Scheduler test target exists; real suites replace it.
@Suite struct SchedulerPlaceholderTests {}
