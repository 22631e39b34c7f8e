/// Ascending order of doubles by LSD radix sort on their bit patterns: 11-bit digits, six
/// passes at most, a pass skipped when every value has the same digit there. O(n) and without
/// data-dependent branches, where `sorted()` is O(n log n) and mispredicts on random data:
/// several times faster on a window's column (bench/run, item 2). The result equals `sorted()`
/// except for the relative order of -0.0 and 0.0, which compare equal, so any statistic over
/// a sorted sample is unchanged. Short samples, and samples with a NaN, use `sorted()`.
package enum RadixSort {
    package static func sorted(_ xs: [Double]) -> [Double] {
        xs.withUnsafeBufferPointer { p in sorted(count: p.count) { p[$0] } ?? xs.sorted() }
    }

    /// Sorts `count` values given by `value(i)`; nil when one is NaN.
    @inline(__always)
    static func sorted(count n: Int, _ value: (Int) -> Double) -> [Double]? {
        if n < 256 {
            var out = [Double](unsafeUninitializedCapacity: n) { b, c in
                for i in 0..<n { b[i] = value(i) }
                c = n
            }
            if out.contains(where: { $0.isNaN }) { return nil }
            out.sort()
            return out
        }
        let sign: UInt64 = 1 << 63
        let digits = 2048
        let passes = 6
        var keys = [UInt64](repeating: 0, count: n)
        var scratch = [UInt64](repeating: 0, count: n)
        var counts = [UInt32](repeating: 0, count: passes * digits)
        var nan = false
        keys.withUnsafeMutableBufferPointer { keys in
            counts.withUnsafeMutableBufferPointer { counts in
                // Order-preserving map to unsigned integers (negatives reversed below positives),
                // and every pass's histogram, in one pass over the values.
                for i in 0..<n {
                    let x = value(i)
                    if x.isNaN { nan = true }
                    let b = x.bitPattern
                    let k = b & sign != 0 ? ~b : b | sign
                    keys[i] = k
                    counts[Int(k & 0x7FF)] &+= 1
                    counts[digits + Int((k >> 11) & 0x7FF)] &+= 1
                    counts[2 * digits + Int((k >> 22) & 0x7FF)] &+= 1
                    counts[3 * digits + Int((k >> 33) & 0x7FF)] &+= 1
                    counts[4 * digits + Int((k >> 44) & 0x7FF)] &+= 1
                    counts[5 * digits + Int(k >> 55)] &+= 1
                }
            }
        }
        if nan { return nil }
        var inKeys = true  // where the data is: keys or scratch
        counts.withUnsafeMutableBufferPointer { counts in
            keys.withUnsafeMutableBufferPointer { a in
                scratch.withUnsafeMutableBufferPointer { b in
                    for p in 0..<passes {
                        let base = p * digits
                        let shift = UInt64(11 * p)
                        let from = inKeys ? a : b
                        let to = inKeys ? b : a
                        if counts[base + Int((from[0] >> shift) & 0x7FF)] == UInt32(n) { continue }
                        var sum: UInt32 = 0
                        for d in base..<(base + digits) {
                            let c = counts[d]
                            counts[d] = sum
                            sum &+= c
                        }
                        for i in 0..<n {
                            let k = from[i]
                            let d = base + Int((k >> shift) & 0x7FF)
                            to[Int(counts[d])] = k
                            counts[d] &+= 1
                        }
                        inKeys.toggle()
                    }
                }
            }
        }
        let result = inKeys ? keys : scratch
        return [Double](unsafeUninitializedCapacity: n) { out, c in
            result.withUnsafeBufferPointer { r in
                for i in 0..<n {
                    let k = r[i]
                    out[i] = Double(bitPattern: k & sign != 0 ? k & ~sign : ~k)
                }
            }
            c = n
        }
    }
}
