import Testing

// Placeholder so the Supervision test target exists; real suites replace it.
@Suite struct SupervisionPlaceholderTests {}
