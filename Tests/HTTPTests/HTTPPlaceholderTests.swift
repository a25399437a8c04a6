import Testing

// Placeholder so the HTTP test target exists; real suites replace it.
@Suite struct HTTPPlaceholderTests {}
