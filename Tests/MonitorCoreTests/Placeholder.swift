import Testing

@Test func placeholderMonitorCoreTests() { #expect(Bool(true)) }
