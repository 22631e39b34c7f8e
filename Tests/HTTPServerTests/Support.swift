import Foundation
import Glibc
import Logging
@testable import HTTPServer
import TestSupport

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A response as read off the wire.
struct RawResponse {
    var status: Int
    var headers: [String: String]  // lower-cased names
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking POSIX-socket HTTP/1.1 client, bounded by socket timeouts, so a
/// misbehaving server fails a test instead of hanging it.
enum RawClient {
    /// `source` binds the client's end first (another loopback address, say 127.0.0.2).
    static func connect(port: UInt16, host: String = "127.0.0.1", source: String? = nil, timeout: Double = 5) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let address = list?.pointee else {
            throw TestFailure("resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, size)
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw TestFailure("bind \(source): errno \(errno)")
            }
        }
        guard Glibc.connect(fd, address.ai_addr, address.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw TestFailure("connect \(host):\(port): errno \(code)")
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send: errno \(errno)") }
            offset += sent
        }
    }

    static func send(_ fd: Int32, _ text: String) throws { try send(fd, Array(text.utf8)) }

    /// Reads until the peer closes. A timeout throws; a reset ends the read.
    static func readToEnd(_ fd: Int32) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                result.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return result
            } else if errno == EINTR {
                continue
            } else if errno == ECONNRESET {
                return result
            } else {
                throw TestFailure("recv: errno \(errno) after \(result.count) bytes")
            }
        }
    }

    /// Sends `request` (which should say `Connection: close`) and parses the answer.
    static func exchange(port: UInt16, _ request: [UInt8], host: String = "127.0.0.1", source: String? = nil) throws -> RawResponse {
        let fd = try connect(port: port, host: host, source: source)
        defer { close(fd) }
        try send(fd, request)
        return try parse(readToEnd(fd))
    }

    static func exchange(port: UInt16, _ request: String, host: String = "127.0.0.1", source: String? = nil) throws -> RawResponse {
        try exchange(port: port, Array(request.utf8), host: host, source: source)
    }

    static func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    static func parse(_ bytes: [UInt8]) throws -> RawResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw TestFailure("no complete response head in \(bytes.count) bytes: \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestFailure("status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers["content-length"].flatMap({ Int($0) }), body.count > length {
            body = Array(body[..<length])
        }
        return RawResponse(status: status, headers: headers, body: body)
    }
}

/// Echoes what it was sent, so tests can see what the server parsed.
struct EchoResponder: HTTPResponder {
    func respond(to request: HTTPRequest) -> HTTPResponse {
        if request.path == "/missing" { return .text(404, "no such page\n") }
        let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "application/octet-stream"),
                ("X-Method", request.method),
                ("X-Path", request.path),
                ("X-Query", query),
                ("X-Custom", request.header("X-Custom") ?? "-"),
                ("X-Remote", request.remoteAddress ?? "-"),
            ],
            body: request.body
        )
    }
}

let quietLogger = Logger(label: "http-test") { _ in SwiftLogNoOpLogHandler() }

/// Starts a server on 127.0.0.1 port 0, runs `body`, stops the server.
func withServer<T>(
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    responder: any HTTPResponder = EchoResponder(),
    statistics: HTTPServerStatistics = HTTPServerStatistics(),
    _ body: (HTTPServer, UInt16) throws -> T
) throws -> T {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
    configure(&configuration)
    let server = try HTTPServer(
        configuration: configuration, responder: responder, logger: quietLogger, statistics: statistics
    )
    try server.start()
    defer { server.stop() }
    return try body(server, server.boundPort)
}

enum Tools {
    /// Runs a tool, returns its standard output; throws on a non-zero exit.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let executable = try PathTools.require(tool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "http-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
