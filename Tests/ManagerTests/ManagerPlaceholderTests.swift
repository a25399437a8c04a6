import Testing

// Placeholder so the Manager test target exists; real suites replace it.
@Suite struct ManagerPlaceholderTests {}
