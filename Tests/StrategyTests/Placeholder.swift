import Testing

@Test func placeholderStrategyTests() { #expect(Bool(true)) }
