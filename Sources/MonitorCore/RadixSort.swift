/// Ascending order of doubles by LSD radix sort on their bit patterns: 11-bit digits, six
/// passes at most, a pass skipped when every value has the same digit there, the last pass
/// writing the doubles themselves. O(n) and without data-dependent branches, where `sorted()`
/// is O(n log n) and mispredicts on random data: several times faster on a window's column
/// (bench/run, item 2). The result equals `sorted()` except for the relative order of -0.0 and
/// 0.0, which compare equal, so any statistic over a sorted sample is unchanged. Short samples,
/// and samples with a NaN, use `sorted()`.
package enum RadixSort {
    package static func sorted(_ xs: [Double]) -> [Double] {
        sorted(count: xs.count) { body in for x in xs { body(x) } } ?? xs.sorted()
    }

    /// Sorts the `count` values that `forEach` gives (it calls its argument once per value);
    /// nil when one is NaN.
    @inline(__always)
    static func sorted(count n: Int, _ forEach: ((Double) -> Void) -> Void) -> [Double]? {
        var nan = false
        if n < 256 {
            var out: [Double] = []
            out.reserveCapacity(n)
            forEach { x in
                if x.isNaN { nan = true }
                out.append(x)
            }
            precondition(out.count == n, "RadixSort: \(out.count) values given for \(n)")
            if nan { return nil }
            out.sort()
            return out
        }
        let digits = 2048
        let passes = 6
        var keys = [UInt64](unsafeUninitializedCapacity: n) { _, c in c = n }
        var counts = [UInt32](repeating: 0, count: passes * digits)
        var given = 0
        keys.withUnsafeMutableBufferPointer { keys in
            counts.withUnsafeMutableBufferPointer { counts in
                // Order-preserving map to unsigned integers (negatives reversed below positives),
                // and every pass's histogram, in one pass over the values.
                forEach { x in
                    if x.isNaN { nan = true }
                    let k = key(x)
                    if given < n { keys[given] = k }
                    given += 1
                    counts[Int(k & 0x7FF)] &+= 1
                    counts[digits + Int((k >> 11) & 0x7FF)] &+= 1
                    counts[2 * digits + Int((k >> 22) & 0x7FF)] &+= 1
                    counts[3 * digits + Int((k >> 33) & 0x7FF)] &+= 1
                    counts[4 * digits + Int((k >> 44) & 0x7FF)] &+= 1
                    counts[5 * digits + Int(k >> 55)] &+= 1
                }
            }
        }
        precondition(given == n, "RadixSort: \(given) values given for \(n)")
        if nan { return nil }
        // The passes that move anything: a digit shared by every value orders nothing.
        let first = keys[0]
        let moving = (0..<passes).filter { p in counts[p * digits + Int((first &>> UInt64(11 * p)) & 0x7FF)] != UInt32(n) }
        var scratch = [UInt64](unsafeUninitializedCapacity: moving.count > 1 ? n : 0) { _, c in c = moving.count > 1 ? n : 0 }
        return [Double](unsafeUninitializedCapacity: n) { out, c in
            counts.withUnsafeMutableBufferPointer { counts in
                keys.withUnsafeMutableBufferPointer { a in
                    scratch.withUnsafeMutableBufferPointer { b in
                        var inKeys = true  // where the data is: keys or scratch
                        for (index, p) in moving.enumerated() {
                            let base = p * digits
                            let shift = UInt64(11 * p)
                            var sum: UInt32 = 0
                            for d in base..<(base + digits) {
                                let c = counts[d]
                                counts[d] = sum
                                sum &+= c
                            }
                            let from = inKeys ? a : b
                            if index == moving.count - 1 {
                                for i in 0..<n {
                                    let k = from[i]
                                    let d = base + Int((k &>> shift) & 0x7FF)
                                    out[Int(counts[d])] = value(k)
                                    counts[d] &+= 1
                                }
                            } else {
                                let to = inKeys ? b : a
                                for i in 0..<n {
                                    let k = from[i]
                                    let d = base + Int((k &>> shift) & 0x7FF)
                                    to[Int(counts[d])] = k
                                    counts[d] &+= 1
                                }
                                inKeys.toggle()
                            }
                        }
                        if moving.isEmpty {
                            for i in 0..<n { out[i] = value(a[i]) }
                        }
                    }
                }
            }
            c = n
        }
    }

    /// The order-preserving key of a double: negatives have every bit flipped (reversing their
    /// order below the positives), positives their sign bit set.
    @inline(__always)
    private static func key(_ x: Double) -> UInt64 {
        let b = x.bitPattern
        return b ^ (UInt64(bitPattern: Int64(bitPattern: b) >> 63) | (1 << 63))
    }

    /// The double of a key (`key`'s inverse).
    @inline(__always)
    private static func value(_ k: UInt64) -> Double {
        Double(bitPattern: k ^ (UInt64(bitPattern: Int64(bitPattern: ~k) >> 63) | (1 << 63)))
    }
}
