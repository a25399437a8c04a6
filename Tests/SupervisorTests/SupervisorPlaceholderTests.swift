import Testing

// Placeholder so the Supervisor test target exists; real suites replace it.
@Suite struct SupervisorPlaceholderTests {}
