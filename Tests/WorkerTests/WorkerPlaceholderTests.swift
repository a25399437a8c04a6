import Testing

// Placeholder so the Worker test target exists; real suites replace it.
@Suite struct WorkerPlaceholderTests {}
