import Testing

// Placeholder so the StateStore test target exists; real suites replace it.
@Suite struct StateStorePlaceholderTests {}
