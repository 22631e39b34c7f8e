import CZlib
import Foundation

/// gzip for answers, with the system's zlib.
enum Gzip {
    /// `bytes` as a gzip member (RFC 1952), or nil if zlib fails (it does not for memory input
    /// unless memory runs out). Level 1: exposition text shrinks ~8× at a fraction of level 6's cost.
    static func compress(_ bytes: [UInt8], level: Int32 = 1) -> [UInt8]? {
        var stream = z_stream()
        guard czlib_gzip_init(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }

    /// Whether an `Accept-Encoding` value accepts gzip (`gzip` or `*`, with a q-value above 0).
    static func accepted(by acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var wildcard = false
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if coding == "gzip" || coding == "x-gzip" { return quality > 0 }
            if coding == "*" { wildcard = quality > 0 }
        }
        return wildcard
    }
}

extension HTTPResponse {
    /// This response gzip-compressed when `request` accepts gzip and the body is worth it
    /// (1 KiB or more, not already encoded); otherwise unchanged. Either way it says
    /// `Vary: Accept-Encoding`, so caches keep the two apart.
    ///
    /// ```swift
    /// return HTTPResponse(status: 200, headers: [("Content-Type", type)], body: text).compressed(for: request)
    /// ```
    package func compressed(for request: HTTPRequest) -> HTTPResponse {
        let varying = adding("Vary", "Accept-Encoding")
        guard body.count >= 1024, header("Content-Encoding") == nil,
              Gzip.accepted(by: request.header("Accept-Encoding")),
              let gzipped = Gzip.compress(body)
        else { return varying }
        var response = varying.adding("Content-Encoding", "gzip")
        response.body = gzipped
        return response
    }
}
