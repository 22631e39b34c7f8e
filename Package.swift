// swift-tools-version: 6.0
import PackageDescription

// The same settings on every target: Swift 6 language mode (strict concurrency)
// and `any` spelled out for existentials.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "model_exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "model_exporter", targets: ["model_exporter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libmicrohttpd, wrapped: a module map and a header of static inline shims for its
        // variadic calls. Only HTTPServer/MHDServer.swift imports it.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // zlib, for gzip-compressed answers: a module map and one shim for deflateInit2 (a macro).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Numbers and JSON strings as text: one spelling shared by every module (stdlib only).
        .target(name: "TextFormat", swiftSettings: settings),
        // Reading and atomically writing files: every system call's result checked, errno described.
        .target(name: "FileIO", swiftSettings: settings),
        // A lock ThreadSanitizer understands (pthread), used like Synchronization's Mutex, and the
        // one monotonic clock.
        .target(name: "Locking", swiftSettings: settings),
        // Pure statistics and window state: no I/O, no clock, no Foundation.
        .target(name: "MonitorCore", dependencies: ["TextFormat"], swiftSettings: settings),
        // YAML read with every node's key path and position, for errors at file:line:column.
        .target(name: "YAMLReader", dependencies: ["TextFormat", .product(name: "Yams", package: "Yams")], swiftSettings: settings),
        // The strategy file: YAML → StrategyV1 (syntax, positions) → Strategy (meaning); the metric catalog.
        .target(
            name: "Strategy",
            dependencies: ["MonitorCore", "TextFormat", "FileIO", "YAMLReader"],
            swiftSettings: settings
        ),
        // Prometheus text exposition 0.0.4 and OpenMetrics 1.0: deterministic, escaped, into [UInt8].
        .target(name: "Exposition", dependencies: ["TextFormat"], swiftSettings: settings),
        // Pages people read: the HTML report and the landing page, with one SVG drawing layer. Pure.
        .target(name: "Report", swiftSettings: settings),
        // Bytes → events: CSV with file:line:column errors, JSON / NDJSON event bodies.
        .target(name: "Ingest", dependencies: ["MonitorCore", "Strategy", "TextFormat", "FileIO"], swiftSettings: settings),
        // Durable storage formats, as plain functions over bytes (no I/O): CRC-32C, the write-ahead
        // log's framed records, binary events and labels, the snapshot file.
        .target(name: "Storage", dependencies: ["MonitorCore"], swiftSettings: settings),
        // HTTP: responder protocol, Request/Response values; MHDServer.swift holds every unsafe call.
        .target(
            name: "HTTPServer",
            dependencies: [
                "CMicroHTTPD", "CZlib", "FileIO", "Locking", "YAMLReader", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings,
            linkerSettings: [.linkedLibrary("crypt")]  // libxcrypt's crypt() checks bcrypt hashes for basic auth
        ),
        // Collectors read the machine at scrape time, node_exporter style: the exporter's own
        // process, and the model server's process, cgroup and GPUs (NVML, opened at run time).
        .target(name: "Collectors", dependencies: ["Strategy", "Exposition", "FileIO", "Locking"], swiftSettings: settings),
        // The exporter: model monitors (reference + window), metric families, routes.
        .target(
            name: "Exporter",
            dependencies: [
                "MonitorCore", "Strategy", "Exposition", "Ingest", "HTTPServer", "TextFormat", "FileIO", "Locking", "Storage", "Report", "Collectors",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // Strategy → Prometheus rules, promtool tests, Grafana dashboards, Alertmanager routes.
        .target(name: "Generator", dependencies: ["MonitorCore", "Strategy", "TextFormat", "FileIO"], swiftSettings: settings),
        // Thin executable: flags, signals, wiring.
        .executableTarget(
            name: "model_exporter",
            dependencies: [
                "Exporter", "Generator", "Strategy", "HTTPServer", "FileIO", "Collectors", "Locking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // The in-process benchmark harness behind bench/run (window updates, recomputation, memory).
        .executableTarget(
            name: "model_exporter_bench",
            dependencies: ["Exporter", "MonitorCore", "Ingest", "Strategy", "Exposition", "Storage", "FileIO", "Locking"],
            path: "bench/Harness",
            swiftSettings: settings
        ),
        // Fuzzing (scripts/fuzz, docs/fuzzing.md): one function per input format that checks its
        // invariants, an executable that hands them to libFuzzer when built with
        // `-sanitize=fuzzer -DFUZZING` (and otherwise runs given inputs once), and the declaration
        // of libFuzzer's driver.
        .target(
            name: "FuzzTargets",
            dependencies: ["Ingest", "Strategy", "Storage", "HTTPServer", "Generator", "MonitorCore", "YAMLReader"],
            swiftSettings: settings
        ),
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "model_exporter_fuzz", dependencies: ["FuzzTargets", "CFuzzDriver", "FileIO"], swiftSettings: settings),
        // What the test targets share (finding tools on PATH, deadlines scaled for slow builds); no product links it.
        .target(name: "TestSupport", path: "Tests/Support", swiftSettings: settings),
        .testTarget(name: "TextFormatTests", dependencies: ["TextFormat"], swiftSettings: settings),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO"], swiftSettings: settings),
        .testTarget(name: "LockingTests", dependencies: ["Locking"], swiftSettings: settings),
        .testTarget(name: "MonitorCoreTests", dependencies: ["MonitorCore", "TextFormat", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "StrategyTests", dependencies: ["Strategy"], swiftSettings: settings),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition"], swiftSettings: settings),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"], swiftSettings: settings),
        .testTarget(name: "StorageTests", dependencies: ["Storage"], swiftSettings: settings),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "YAMLReader", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CollectorsTests", dependencies: ["Collectors", "Strategy", "Exposition", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ExporterTests", dependencies: ["Exporter", "Report", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ReportTests", dependencies: ["Report"], swiftSettings: settings),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FileIO", "FuzzTargets"], swiftSettings: settings),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "Strategy", "TextFormat", "TestSupport"], swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
