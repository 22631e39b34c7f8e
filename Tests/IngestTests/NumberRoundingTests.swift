#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Ingest

/// The number parser rounds mantissas above 2^53 (17 digits and more, as `repr` writes doubles)
/// itself, in 128-bit integer arithmetic: every such result must be the very double `strtod`
/// gives, bit for bit, including on exact ties (round half to even) and one unit either side.
@Suite struct NumberRoundingTests {
    /// A seeded generator (xorshift64*), so a failure is reproducible.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state == 0 ? 0x2545_F491_4F6C_DD1D : state
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func next(in range: ClosedRange<UInt64>) -> UInt64 {
            range.lowerBound &+ next() % (range.upperBound - range.lowerBound &+ 1)
        }
        mutating func next(in range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
    }

    static let twoTo53: UInt64 = 1 << 53
    /// The largest mantissa of 19 digits: the 128-bit path takes at most 19.
    static let nineteenNines: UInt64 = 9_999_999_999_999_999_999

    static func strtodValue(_ text: String) -> Double {
        var end: UnsafeMutablePointer<CChar>?
        return text.withCString { p in
            let v = strtod(p, &end)
            precondition(end! - UnsafeMutablePointer(mutating: p) == text.utf8.count, "strtod stopped early in \(text)")
            return v
        }
    }

    static func parsed(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { NumberParser.parse($0, 0..<$0.count) }
    }

    /// The texts that spell `w · 10^e`: with an exponent, and with a decimal point where the
    /// exponent allows one (digits after the point), which takes the parser's short-text path.
    static func spellings(_ w: UInt64, _ e: Int) -> [String] {
        let digits = String(w)
        var out = ["\(digits)e\(e)", "\(digits)E+\(e)".replacingOccurrences(of: "+-", with: "-")]
        if e == 0 { out.append(digits) }
        if e < 0 && -e < digits.count {
            var d = digits
            d.insert(".", at: d.index(d.endIndex, offsetBy: e))
            out.append(d)
        } else if e < 0 {
            out.append("0." + String(repeating: "0", count: -e - digits.count) + digits)
        } else if e > 0 {
            out.append(digits + String(repeating: "0", count: e))
        }
        return out.flatMap { [$0, "-" + $0] }
    }

    /// Checks one `w · 10^e` through the 128-bit routine directly and through every spelling.
    static func check(_ w: UInt64, _ e: Int, failures: inout [String]) {
        let expected = strtodValue("\(w)e\(e)")
        let direct = NumberParser.exact(w, e)
        if direct.bitPattern != expected.bitPattern {
            failures.append("exact(\(w), \(e)) = \(direct), strtod \(expected)")
        }
        for text in spellings(w, e) {
            let want = strtodValue(text)
            guard let got = parsed(text) else {
                failures.append("\(text): not parsed, strtod \(want)")
                continue
            }
            if got.bitPattern != want.bitPattern { failures.append("\(text): \(got), strtod \(want)") }
        }
    }

    @Test func randomMantissasAboveTwoToThe53() {
        var random = Random(state: 53)
        var failures: [String] = []
        for _ in 0..<60_000 {
            let w = random.next(in: Self.twoTo53...Self.nineteenNines)
            let e = random.next(in: -19...19)
            Self.check(w, e, failures: &failures)
        }
        #expect(failures.isEmpty, "\(failures.count) differ from strtod, e.g. \(failures.prefix(10))")
    }

    /// 17-digit mantissas: the shortest round-trip text of most doubles.
    @Test func seventeenDigitsAsPythonWritesThem() {
        var random = Random(state: 17)
        var failures: [String] = []
        for _ in 0..<60_000 {
            let w = random.next(in: UInt64(10_000_000_000_000_000)...UInt64(99_999_999_999_999_999))
            let e = random.next(in: -19...19)
            Self.check(w, e, failures: &failures)
        }
        #expect(failures.isEmpty, "\(failures.count) differ from strtod, e.g. \(failures.prefix(10))")
    }

    /// Decimals of up to 19 characters (the short path, eight digits at a time where there are
    /// eight) as strtod reads them; a byte just outside the digits ('/' or ':') anywhere makes
    /// the text no number.
    @Test func shortDecimalsAndNearDigits() {
        var random = Random(state: 8)
        var failures: [String] = []
        for _ in 0..<60_000 {
            let length = random.next(in: 1...18)
            var digits = (0..<length).map { _ in Character(String(random.next(in: 0...9))) }
            if random.next(in: 0...3) > 0 { digits.insert(".", at: random.next(in: 0...length)) }
            let text = (random.next(in: 0...1) == 1 ? "-" : "") + String(digits)
            if text.contains(where: \.isNumber) {
                let want = Self.strtodValue(text)
                if let got = Self.parsed(text), got.bitPattern == want.bitPattern {} else { failures.append("\(text): \(Self.parsed(text) as Any), strtod \(want)") }
            }
            var bad = Array(text.utf8)
            bad[random.next(in: 0...(bad.count - 1))] = random.next(in: 0...1) == 1 ? UInt8(ascii: "/") : UInt8(ascii: ":")
            if let v = bad.withUnsafeBufferPointer({ NumberParser.parse($0, 0..<$0.count) }) { failures.append("\(String(decoding: bad, as: UTF8.self)): \(v)") }
        }
        #expect(failures.isEmpty, "\(failures.count) wrong, e.g. \(failures.prefix(10))")
    }

    /// Exact ties between two doubles and their neighbours one unit away, with positive,
    /// zero and negative exponents: round half to even, and the remainder's sticky bit.
    @Test func tiesAndTheirNeighbours() {
        var random = Random(state: 2)
        var failures: [String] = []
        var ties = 0
        for _ in 0..<6_000 {
            // An integer halfway between two doubles: 54 significant bits, the last one set.
            let shift = random.next(in: 0...9)
            let odd = random.next(in: Self.twoTo53...(Self.twoTo53 << 1) - 1) | 1
            let midpoint = odd << shift
            guard midpoint <= Self.nineteenNines else { continue }
            // As written (e = 0), and as midpoint · 10^j · 10^−j while it fits in 19 digits.
            var w = midpoint
            var e = 0
            while true {
                for d: UInt64 in [0, 1] {
                    Self.check(w - d, e, failures: &failures)
                    Self.check(w + d, e, failures: &failures)
                }
                ties += 1
                guard w <= Self.nineteenNines / 10 else { break }
                w *= 10
                e -= 1
            }
        }
        // Ties reached through a positive exponent: value = o · 2^k with o odd of 54 bits and
        // o a multiple of 5^e, spelled (o / 5^e) · 2^(k−e) · 10^e.
        for e in 1...19 {
            var five: UInt64 = 1
            for _ in 0..<e { five *= 5 }
            guard five < Self.twoTo53 else { continue }
            for _ in 0..<300 {
                let low = (Self.twoTo53 + five - 1) / five
                let high = ((Self.twoTo53 << 1) - 1) / five
                guard low <= high else { break }
                let t = random.next(in: low...high) | 1
                guard t <= high else { continue }
                // w = t · 2^s, above 2^53 and of at most 19 digits: w · 10^e = (t · 5^e) · 2^(s+e),
                // 54 significant bits with the last one set.
                var w = t
                while w < Self.twoTo53 && w <= Self.nineteenNines / 2 { w <<= 1 }
                guard w >= Self.twoTo53 else { continue }
                for d: UInt64 in [0, 1] {
                    Self.check(w - d, e, failures: &failures)
                    Self.check(w + d, e, failures: &failures)
                }
                ties += 1
            }
        }
        #expect(ties > 6_000)
        #expect(failures.isEmpty, "\(failures.count) differ from strtod, e.g. \(failures.prefix(10))")
    }

    /// The ends of the 128-bit path's range and the powers of two around 2^53 and 2^63.
    @Test func edges() {
        var failures: [String] = []
        var mantissas: [UInt64] = [Self.twoTo53, Self.twoTo53 + 1, Self.twoTo53 + 2, Self.twoTo53 + 3, (Self.twoTo53 << 1) - 1, Self.twoTo53 << 1, (Self.twoTo53 << 1) + 1]
        mantissas += [Self.nineteenNines, Self.nineteenNines - 1, 1 << 63, (1 << 63) - 1, (1 << 63) + 1, 1 << 62, (1 << 62) + 1]
        mantissas += [1_000_000_000_000_000_000, 9_007_199_254_740_993, 12_345_678_901_234_567_89]
        for w in mantissas {
            for e in -19...19 { Self.check(w, e, failures: &failures) }
        }
        #expect(failures.isEmpty, "\(failures.count) differ from strtod, e.g. \(failures.prefix(10))")
    }

    /// Longer mantissas (20 digits and more) go to strtod itself: still the same double.
    @Test func longerMantissasStillAgree() {
        var random = Random(state: 20)
        var failures: [String] = []
        for _ in 0..<5_000 {
            let text = "\(random.next(in: Self.nineteenNines...UInt64.max))\(random.next() % 1000)e\(random.next(in: -30...30))"
            let want = Self.strtodValue(text)
            if Self.parsed(text)?.bitPattern != want.bitPattern { failures.append("\(text): \(String(describing: Self.parsed(text))), strtod \(want)") }
        }
        #expect(failures.isEmpty, "\(failures.count) differ from strtod, e.g. \(failures.prefix(10))")
    }
}
