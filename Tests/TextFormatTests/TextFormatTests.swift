import Testing
import TextFormat

@Suite struct TextFormatTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1, "1"), (-3, "-3"), (0.1, "0.1"), (1e-6, "1e-06"), (250000, "250000"),
        (1e16, "1e+16"), (0.7499999999999999, "0.7499999999999999"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"),
    ])
    func numbersReadBackAsTheSameDouble(_ value: Double, _ text: String) {
        #expect(NumberText.shortest(value) == text)
        if value.isFinite { #expect(Double(text) == value) }
    }

    @Test(arguments: [
        (0.75, "0.75"), (250000, "250000"), (1e6, "1e+06"), (1234567, "1.234567e+06"), (1e-5, "1e-05"), (0.0001, "0.0001"),
        (0.55, "0.55"), (0.7499999999999999, "0.7499999999999999"), (0, "0"), (-0.5, "-0.5"), (2, "2"), (1e21, "1e+21"),
        (-0.0, "-0"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"),
    ])
    func goSpellsNumbersAsGoPrintsThem(_ value: Double, _ text: String) {
        #expect(NumberText.go(value) == text)
    }

    /// The two spellings differ only in where the exponent starts: both read back as the value.
    @Test(arguments: [
        0, -0.0, 1, -3, 0.1, 0.55, 1e-5, 1e-6, 0.0001, 250000, 999999, 1e6, 1234567, 1e15 - 1, 1e15, 1e16, 1e21, 1e300,
        .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 0.7499999999999999, 1.0 / 3, -123456.789, 2.5e-7,
    ])
    func bothSpellingsReadBackAsTheSameDouble(_ value: Double) throws {
        let shortest = try #require(Double(NumberText.shortest(value)))
        let go = try #require(Double(NumberText.go(value)))
        #expect(shortest == value && go == value)
        #expect(shortest.sign == go.sign || value == 0)
    }

    @Test(arguments: [
        ("plain", #""plain""#), ("a\"b\\c", #""a\"b\\c""#), ("l1\nl2\r\t", #""l1\nl2\r\t""#),
        ("\u{1}\u{1f}\u{7f}", #""\u0001\u001f\u007f""#), ("café ü", "\"café ü\""),
    ])
    func stringsAreQuotedAsJSON(_ text: String, _ quoted: String) {
        #expect(JSONText.quoted(text) == quoted)
    }

    @Test func jsonNumbersFollowRFC8259() {
        #expect(["0", "-0", "0.1", "-2e-5", "250000", "1E+3"].allSatisfy(JSONText.isNumber))
        #expect(!["", ".5", "01", "1.", "0x1f", "+1", "1e", "-", "1_000"].contains(where: JSONText.isNumber))
    }
}
