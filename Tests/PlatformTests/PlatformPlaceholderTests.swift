import Testing

// Placeholder so the Platform test target exists; real suites replace it.
@Suite struct PlatformPlaceholderTests {}
