#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal text → Double on bytes, without making a String.
///
/// The common case (at most 19 significant digits, a decimal exponent within ±22) is exact by
/// Clinger's fast path: the mantissa and the power of ten are both exact doubles, so one
/// multiplication or division rounds correctly. Anything else goes to `strtod`.
public enum NumberParser {
    private static let powersOfTen: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    /// Parses the whole range as a number (leading/trailing spaces allowed); nil when it is not
    /// one. "nan"/"NaN" give NaN; "inf"/"Infinity" give infinity.
    public static func parse(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var i = range.lowerBound
        var end = range.upperBound
        while i < end && buf[i] == 0x20 { i += 1 }
        while end > i && buf[end - 1] == 0x20 { end -= 1 }
        guard i < end else { return nil }
        let start = i
        var negative = false
        if buf[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if buf[i] == UInt8(ascii: "+") { i += 1 }
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
            v = exp10 < 0 ? v / powersOfTen[-exp10] : v * powersOfTen[exp10]
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
