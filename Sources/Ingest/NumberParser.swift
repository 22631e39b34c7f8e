#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal text → Double on bytes, without making a String.
///
/// The common case (at most 19 significant digits, a decimal exponent within ±22) is exact by
/// Clinger's fast path: the mantissa and the power of ten are both exact doubles, so one
/// multiplication or division rounds correctly. Mantissas of 54 to 64 bits (the 17 digits of a
/// shortest round-trip double, `repr` in Python) with an exponent within ±19 are rounded exactly
/// in 128-bit integer arithmetic (`exact`). Anything else goes to `strtod`.
package enum NumberParser {
    /// 10^e for 0 ≤ e ≤ 22, exact in a Double.
    @inline(__always)
    static func powerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// 10^e for 0 ≤ e ≤ 19 as an integer.
    @inline(__always)
    static func integerPowerOfTen(_ e: Int) -> UInt64 {
        var v: UInt64 = 1
        for _ in 0..<e { v &*= 10 }
        return v
    }

    /// `w · 10^e` correctly rounded (to nearest, ties to even), for w > 0, |e| ≤ 19: the product
    /// is exact in 128 bits; the quotient is taken to 63–64 significant bits with a sticky bit
    /// for the remainder, which is all round-to-nearest needs.
    static func exact(_ w: UInt64, _ e: Int) -> Double {
        if e >= 0 {
            let (hi, lo) = w.multipliedFullWidth(by: integerPowerOfTen(e))
            if hi == 0 { return rounded(lo, sticky: false, exponent: 0) }
            let lz = hi.leadingZeroBitCount
            let top = lz == 0 ? hi : (hi << lz) | (lo >> (64 - lz))
            let rest = lz == 0 ? lo : lo << lz
            return rounded(top, sticky: rest != 0, exponent: 64 - lz)
        }
        let d = integerPowerOfTen(-e)
        let dBits = 64 - d.leadingZeroBitCount
        let wBits = 64 - w.leadingZeroBitCount
        // w · 2^s / d lands in (2^62, 2^64): 63 or 64 significant bits, and hi < d (no overflow).
        let s = 63 + dBits - wBits
        let hi: UInt64 = s >= 64 ? w << (s - 64) : (s == 0 ? 0 : w >> (64 - s))
        let lo: UInt64 = s >= 64 ? 0 : w << s
        let (q, r) = d.dividingFullWidth((high: hi, low: lo))
        return rounded(q, sticky: r != 0, exponent: -s)
    }

    /// `q · 2^exponent` (plus less than one unit of q when `sticky`) rounded to a Double.
    @inline(__always)
    static func rounded(_ q: UInt64, sticky: Bool, exponent: Int) -> Double {
        let bits = 64 - q.leadingZeroBitCount
        guard bits > 53 else {
            // Exact in 53 bits; with sticky set this cannot happen (q has ≥ 63 bits then).
            return Double(sign: .plus, exponent: exponent, significand: Double(q))
        }
        let drop = bits - 53
        var m = q >> drop
        let rest = q & ((1 << drop) - 1)
        let half: UInt64 = 1 << (drop - 1)
        if rest > half || (rest == half && (sticky || m & 1 == 1)) { m += 1 }
        return Double(sign: .plus, exponent: exponent + drop, significand: Double(m))
    }

    /// The eight bytes at `i` as a decimal number when all are digits, in a few word operations
    /// (as simdjson's `parse_eight_digits_unrolled`): nil when one is not a digit.
    @inline(__always)
    static func eightDigits(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64? {
        let x = UInt64(littleEndian: UnsafeRawPointer(buf.baseAddress! + i).loadUnaligned(as: UInt64.self))
        // Every byte in 0x30...0x39: its high nibble is 3, and adding 6 keeps it 3.
        guard x & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
              (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030 else { return nil }
        var v = x & 0x0F0F_0F0F_0F0F_0F0F  // the first digit in the lowest byte
        v = (v &* 2561) >> 8  // pairs: 10·a + b
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16  // fours
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32  // eight
    }

    /// Digits, then a point and digits, from `i` up to `limit` (at most 19 characters on, so the
    /// mantissa cannot overflow): the mantissa, its power of ten, where the digits stop, and
    /// whether there was a digit.
    @inline(__always)
    static func shortDecimal(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ limit: Int) -> (mantissa: UInt64, exponent: Int, end: Int, seen: Bool) {
        var j = i
        var m: UInt64 = 0
        digits(buf, &j, limit, &m)
        var seen = j > i
        var e10 = 0
        if j < limit && buf[j] == UInt8(ascii: ".") {
            j += 1
            let fraction = j
            digits(buf, &j, limit, &m)
            e10 = fraction - j
            seen = seen || j > fraction
        }
        return (m, e10, j, seen)
    }

    /// The digits from `j` up to `limit` appended to `m` (eight at a time while there are eight);
    /// `j` ends on the first byte that is not a digit.
    @inline(__always)
    static func digits(_ buf: UnsafeBufferPointer<UInt8>, _ j: inout Int, _ limit: Int, _ m: inout UInt64) {
        while j + 8 <= limit, let eight = eightDigits(buf, j) {
            m = m &* 100_000_000 &+ eight
            j += 8
        }
        while j < limit, buf[j] &- 48 < 10 {
            m = m &* 10 &+ UInt64(buf[j] &- 48)
            j += 1
        }
    }

    /// `m · 10^e10`, correctly rounded, for a mantissa of at most 19 digits and -19 ≤ e10 ≤ 0.
    @inline(__always)
    static func value(_ m: UInt64, _ e10: Int, negative: Bool) -> Double {
        let v = m < (1 << 53) ? (e10 < 0 ? Double(m) / powerOfTen(-e10) : Double(m)) : exact(m, e10)
        return negative ? -v : v
    }

    /// A CSV field at `start` that is a plain decimal (`-`, digits, a point, digits: at most 19
    /// characters after the sign) followed by the field's end (a comma, a line break, the end of
    /// the bytes): its value and where it ends, read while the field is found. The value is the
    /// one `parse` gives for the field; nil for anything else (then the field is found and
    /// parsed whole).
    @inline(__always)
    static func csvDecimal(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int) -> (value: Double, end: Int)? {
        let n = buf.count
        var i = start
        let negative = i < n && buf[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let d = shortDecimal(buf, i, min(n, i + 19))
        guard d.seen else { return nil }
        let j = d.end
        if j < n {
            let c = buf[j]
            guard c == UInt8(ascii: ",") || c == 0x0A || (c == 0x0D && (j + 1 == n || buf[j + 1] == 0x0A)) else { return nil }
        }
        return (value(d.mantissa, d.exponent, negative: negative), j)
    }

    /// Scans the JSON number grammar (RFC 8259) at `start`, not past `end`: where the number
    /// ends, or where it goes wrong and why. Both JSON readers find their numbers with it.
    @inline(__always)
    static func scanJSON(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (end: Int, problem: String?) {
        var i = start
        if i < end && b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, b[i] &- 48 < 10 else { return (i, "invalid number") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < end, b[i] &- 48 < 10 { i += 1 }
        }
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, b[i] &- 48 < 10 else { return (i, "invalid number: digits expected after '.'") }
            while i < end, b[i] &- 48 < 10 { i += 1 }
        }
        if i < end && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < end && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, b[i] &- 48 < 10 else { return (i, "invalid number: digits expected in the exponent") }
            while i < end, b[i] &- 48 < 10 { i += 1 }
        }
        return (i, nil)
    }

    /// Parses the whole range as a number (leading/trailing spaces allowed); nil when it is not
    /// one. "nan"/"NaN" give NaN; "inf"/"Infinity" give infinity.
    package static func parse(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var i = range.lowerBound
        var end = range.upperBound
        while i < end && buf[i] == 0x20 { i += 1 }
        while end > i && buf[end - 1] == 0x20 { end -= 1 }
        guard i < end else { return nil }
        let start = i
        var negative = false
        if buf[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if buf[i] == UInt8(ascii: "+") { i += 1 }
        if end - i <= 19 {
            // At most 19 characters left: at most 19 digits, so the mantissa cannot overflow and
            // needs no counting. The same result as the general path below, in fewer steps (a
            // CSV of 100,000 rows × 20 numbers spends most of its reading time here).
            let d = shortDecimal(buf, i, end)
            if d.seen && d.end == end { return value(d.mantissa, d.exponent, negative: negative) }
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        var sawDigit = false
        while i < end, buf[i] &- 48 < 10 {
            sawDigit = true
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(buf[i] &- 48)
                if mantissa != 0 { digits += 1 }
            } else {
                exp10 += 1
                digits += 1
            }
            i += 1
        }
        if i < end && buf[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, buf[i] &- 48 < 10 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(buf[i] &- 48)
                    if mantissa != 0 { digits += 1 }
                    exp10 -= 1
                } else {
                    digits += 1
                }
                i += 1
            }
        }
        guard sawDigit else { return special(buf, start, end) }
        if i < end && (buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E")) {
            i += 1
            var eNeg = false
            if i < end && (buf[i] == UInt8(ascii: "-") || buf[i] == UInt8(ascii: "+")) {
                eNeg = buf[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var sawE = false
            while i < end, buf[i] &- 48 < 10 {
                sawE = true
                if e < 100_000 { e = e * 10 + Int(buf[i] &- 48) }
                i += 1
            }
            guard sawE else { return nil }
            exp10 += eNeg ? -e : e
        }
        guard i == end else { return nil }
        if digits <= 19 && mantissa < (1 << 53) && abs(exp10) <= 22 {
            var v = Double(mantissa)
            v = exp10 < 0 ? v / powerOfTen(-exp10) : v * powerOfTen(exp10)
            return negative ? -v : v
        }
        if digits <= 19 && abs(exp10) <= 19 {
            let v = exact(mantissa, exp10)
            return negative ? -v : v
        }
        return slow(buf, start, end)
    }

    private static func slow(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var tmp = [CChar](repeating: 0, count: end - start + 1)
        for k in start..<end { tmp[k - start] = CChar(bitPattern: buf[k]) }
        return tmp.withUnsafeBufferPointer { p -> Double? in
            var endp: UnsafeMutablePointer<CChar>?
            let v = strtod(p.baseAddress!, &endp)
            guard let e = endp, e - UnsafeMutablePointer(mutating: p.baseAddress!) == end - start else { return nil }
            return v
        }
    }

    private static func special(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var s = ""
        for k in start..<end { s.unicodeScalars.append(Unicode.Scalar(buf[k])) }
        switch s.lowercased() {
        case "nan", "-nan", "+nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }
}
