/// Little-endian binary writing and bounds-checked reading: the one encoding of the log and
/// snapshot files. A reader never traps on hostile bytes; it throws `DecodeError`.
package struct ByteWriter: Sendable {
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) package mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inline(__always) package mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) package mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) package mutating func f64(_ v: Double) { u64(v.bitPattern) }

    /// Unsigned LEB128: one byte below 128.
    @inline(__always) package mutating func varint(_ v: Int) {
        var x = UInt64(v)
        while x >= 0x80 {
            bytes.append(UInt8(x & 0x7F) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    /// A length-prefixed UTF-8 string.
    @inline(__always) package mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { p in
            varint(p.count)
            bytes.append(contentsOf: p)
        }
    }

    package mutating func raw(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }

    /// Writes at most `bound` bytes through a raw pointer and a cursor (starting at 0), then
    /// keeps the bytes the cursor passed: for hot loops, where appending value by value
    /// checked capacity and uniqueness at every byte (bench harness `log`).
    @inline(__always) package mutating func unsafeWrite(bound: Int, _ body: (UnsafeMutableRawBufferPointer, inout Int) -> Void) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: bound))
        var used = 0
        bytes.withUnsafeMutableBytes { body(UnsafeMutableRawBufferPointer(rebasing: $0[start...]), &used) }
        precondition(used <= bound, "wrote past the bound")
        bytes.removeLast(bound - used)
    }
}

/// Bytes that do not decode: what was expected and at which offset.
package struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var reason: String
    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
    package var description: String { "offset \(offset): \(reason)" }
}

package struct ByteReader {
    package let bytes: [UInt8]
    package private(set) var offset: Int
    package let end: Int

    package init(_ bytes: [UInt8], from: Int = 0, to: Int? = nil) {
        self.bytes = bytes
        offset = from
        end = to ?? bytes.count
    }

    package var remaining: Int { end - offset }
    package var atEnd: Bool { offset >= end }

    @inline(__always) func need(_ n: Int, _ what: String) throws(DecodeError) {
        guard n >= 0, n <= end - offset else { throw DecodeError(offset: offset, reason: "truncated \(what): \(n) bytes needed, \(end - offset) left") }
    }

    @inline(__always) package mutating func u8(_ what: String = "byte") throws(DecodeError) -> UInt8 {
        try need(1, what)
        defer { offset += 1 }
        return bytes[offset]
    }

    package mutating func u32(_ what: String = "u32") throws(DecodeError) -> UInt32 { try littleEndian(what) }

    @inline(__always) package mutating func u64(_ what: String = "u64") throws(DecodeError) -> UInt64 { try littleEndian(what) }

    @inline(__always) mutating func littleEndian<T: FixedWidthInteger>(_ what: String) throws(DecodeError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, what)
        var v: T = 0
        for k in 0..<size { v |= T(bytes[offset + k]) << (8 * k) }
        offset += size
        return v
    }

    @inline(__always) package mutating func f64(_ what: String = "number") throws(DecodeError) -> Double {
        Double(bitPattern: try u64(what))
    }

    /// A LEB128 count, at most `limit` (so a corrupt length cannot ask for terabytes).
    @inline(__always) package mutating func varint(_ what: String = "count", limit: Int = Int(Int32.max)) throws(DecodeError) -> Int {
        let start = offset
        var x: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8(what)
            x |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
            if shift > 56 { throw DecodeError(offset: start, reason: "\(what): varint too long") }
        }
        guard x <= UInt64(limit) else { throw DecodeError(offset: start, reason: "\(what): \(x) is more than \(limit)") }
        return Int(x)
    }

    @inline(__always) package mutating func string(_ what: String = "string") throws(DecodeError) -> String {
        let n = try varint(what + " length")
        try need(n, what)
        let s = String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
        offset += n
        return s
    }

    package mutating func take(_ n: Int, _ what: String) throws(DecodeError) -> ArraySlice<UInt8> {
        try need(n, what)
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }
}
