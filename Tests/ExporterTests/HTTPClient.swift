#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// A minimal blocking HTTP/1.1 client over a loopback socket (one request per connection),
/// so tests talk to the real server without FoundationNetworking.
struct TestHTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let port: UInt16

    func get(_ path: String) throws -> Response { try request("GET", path, body: []) }

    func post(_ path: String, _ body: String, contentType: String = "application/json") throws -> Response {
        try request("POST", path, body: Array(body.utf8), headers: ["Content-Type": contentType])
    }

    func request(_ method: String, _ path: String, body: [UInt8], headers: [String: String] = [:]) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(TestTime.seconds(30)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw Failure(description: "connect to port \(port) failed: errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        let out = Array(head.utf8) + body
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            sent += n
        }
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var ended = "closed by the server"
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { ended = errno == EAGAIN ? "no answer within the receive timeout" : "receive failed: errno \(errno)" }
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        guard let split = data.firstRange(of: [13, 10, 13, 10]) else {
            throw Failure(description: "no HTTP response to \(method) \(path) (\(data.count) bytes; \(ended))")
        }
        let headText = String(decoding: data[..<split.lowerBound], as: UTF8.self)
        var lines = headText.split(separator: "\r\n").map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line") }
        var hs: [String: String] = [:]
        for l in lines {
            if let c = l.firstIndex(of: ":") { hs[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters() }
        }
        var payload = Array(data[split.upperBound...])
        if hs["transfer-encoding"]?.lowercased() == "chunked" { payload = dechunk(payload) }
        return Response(status: status, headers: hs, body: payload)
    }

    private func dechunk(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            var j = i
            while j + 1 < b.count && !(b[j] == 13 && b[j + 1] == 10) { j += 1 }
            let size = Int(String(decoding: b[i..<j], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            out.append(contentsOf: b[(j + 2)..<(j + 2 + size)])
            i = j + 2 + size + 2
        }
        return out
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(drop(while: { $0 == " " })) }
}
