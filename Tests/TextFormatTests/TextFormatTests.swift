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
