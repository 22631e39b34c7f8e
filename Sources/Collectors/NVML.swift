// NVIDIA's management library, opened at run time with dlopen: no build-time dependency, and
// a machine without the library or without a GPU simply has no GPU families. This file holds
// every unsafe call; the collector sees only `GPUSource`.

#if canImport(Glibc)
import Glibc
#endif

/// What the GPU collector reads of the GPUs: one small protocol, so tests can drive it.
package protocol GPUSource: Sendable {
    func devices() throws -> [GPUDevice]
}

/// One GPU as read at one scrape; a value is nil when the device does not report it.
package struct GPUDevice: Sendable, Equatable {
    package var index: Int
    package var uuid: String
    /// 0 to 1.
    package var utilization: Double?
    package var memoryUsedBytes: Double?
    package var memoryTotalBytes: Double?
    package var powerWatts: Double?
    package var temperatureCelsius: Double?
    /// GPU memory by pid of the processes computing on the device; nil when the device
    /// cannot say (NVML answers "not supported", or the call fails).
    package var processMemoryBytes: [Int32: Double]?

    package init(
        index: Int, uuid: String, utilization: Double? = nil, memoryUsedBytes: Double? = nil, memoryTotalBytes: Double? = nil,
        powerWatts: Double? = nil, temperatureCelsius: Double? = nil, processMemoryBytes: [Int32: Double]? = [:]
    ) {
        self.index = index
        self.uuid = uuid
        self.utilization = utilization
        self.memoryUsedBytes = memoryUsedBytes
        self.memoryTotalBytes = memoryTotalBytes
        self.powerWatts = powerWatts
        self.temperatureCelsius = temperatureCelsius
        self.processMemoryBytes = processMemoryBytes
    }
}

/// NVML through dlopen. `open` answers why it could not, for one info line.
package final class NVML: GPUSource, @unchecked Sendable {
    // @unchecked: immutable after init; NVML's calls are thread-safe.
    private typealias Status = Int32
    private typealias Device = OpaquePointer?
    private typealias Init = @convention(c) () -> Status
    private typealias GetCount = @convention(c) (UnsafeMutablePointer<UInt32>) -> Status
    private typealias GetHandle = @convention(c) (UInt32, UnsafeMutablePointer<Device>) -> Status
    private typealias GetUUID = @convention(c) (Device, UnsafeMutablePointer<CChar>, UInt32) -> Status
    private typealias GetUInt32 = @convention(c) (Device, UnsafeMutableRawPointer) -> Status
    private typealias GetTemperature = @convention(c) (Device, UInt32, UnsafeMutablePointer<UInt32>) -> Status
    private typealias GetProcesses = @convention(c) (Device, UnsafeMutablePointer<UInt32>, UnsafeMutableRawPointer?) -> Status
    private typealias ErrorString = @convention(c) (Status) -> UnsafePointer<CChar>?

    private static let success: Status = 0
    private static let insufficientSize: Status = 7
    /// `nvmlProcessInfo_t` (v2 and v3): pid, pad, usedGpuMemory, gpuInstanceId, computeInstanceId.
    private static let processInfoSize = 24
    private static let notAvailable = UInt64.max

    private let handle: UnsafeMutableRawPointer
    private let count: GetCount
    private let handleByIndex: GetHandle
    private let uuid: GetUUID
    private let utilization: GetUInt32
    private let memory: GetUInt32
    private let power: GetUInt32
    private let temperature: GetTemperature
    private let processes: GetProcesses
    private let shutdown: Init

    /// The library's name as the driver installs it.
    package static let library = "libnvidia-ml.so.1"

    /// Opens and initialises the library, or says why not.
    package static func open(library: String = NVML.library) -> Result<NVML, CollectorError> {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(CollectorError(path: library, reason: dlerror().map { String(cString: $0) } ?? "cannot be opened"))
        }
        func symbol<T>(_ names: String..., as: T.Type) -> T? {
            for name in names { if let p = dlsym(handle, name) { return unsafeBitCast(p, to: T.self) } }
            return nil
        }
        guard let initialise = symbol("nvmlInit_v2", as: Init.self), let shutdown = symbol("nvmlShutdown", as: Init.self),
            let count = symbol("nvmlDeviceGetCount_v2", as: GetCount.self),
            let byIndex = symbol("nvmlDeviceGetHandleByIndex_v2", as: GetHandle.self),
            let uuid = symbol("nvmlDeviceGetUUID", as: GetUUID.self),
            let utilization = symbol("nvmlDeviceGetUtilizationRates", as: GetUInt32.self),
            let memory = symbol("nvmlDeviceGetMemoryInfo", as: GetUInt32.self),
            let power = symbol("nvmlDeviceGetPowerUsage", as: GetUInt32.self),
            let temperature = symbol("nvmlDeviceGetTemperature", as: GetTemperature.self),
            let processes = symbol("nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2", as: GetProcesses.self)
        else {
            dlclose(handle)
            return .failure(CollectorError(path: library, reason: "lacks an NVML function this exporter uses"))
        }
        let status = initialise()
        guard status == success else {
            let text = symbol("nvmlErrorString", as: ErrorString.self).flatMap { $0(status) }.map { String(cString: $0) }
            dlclose(handle)
            return .failure(CollectorError(path: library, reason: "nvmlInit failed: \(text ?? "status \(status)")"))
        }
        return .success(NVML(
            handle: handle, count: count, handleByIndex: byIndex, uuid: uuid, utilization: utilization, memory: memory,
            power: power, temperature: temperature, processes: processes, shutdown: shutdown))
    }

    private init(
        handle: UnsafeMutableRawPointer, count: GetCount, handleByIndex: GetHandle, uuid: GetUUID, utilization: GetUInt32,
        memory: GetUInt32, power: GetUInt32, temperature: GetTemperature, processes: GetProcesses, shutdown: Init
    ) {
        self.handle = handle
        self.count = count
        self.handleByIndex = handleByIndex
        self.uuid = uuid
        self.utilization = utilization
        self.memory = memory
        self.power = power
        self.temperature = temperature
        self.processes = processes
        self.shutdown = shutdown
    }

    deinit {
        _ = shutdown()
        dlclose(handle)
    }

    package func devices() throws -> [GPUDevice] {
        var n: UInt32 = 0
        try check(count(&n), "nvmlDeviceGetCount")
        return try (0..<n).map(device(at:))
    }

    private func check(_ status: Status, _ call: String) throws(CollectorError) {
        guard status == Self.success else { throw CollectorError(path: "NVML", reason: "\(call) returned \(status)") }
    }

    private func device(at index: UInt32) throws(CollectorError) -> GPUDevice {
        var device: Device = nil
        try check(handleByIndex(index, &device), "nvmlDeviceGetHandleByIndex")
        var text = [CChar](repeating: 0, count: 96)
        try check(uuid(device, &text, UInt32(text.count)), "nvmlDeviceGetUUID")
        var out = GPUDevice(index: Int(index), uuid: String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        // nvmlUtilization_t { unsigned gpu, memory } in percent.
        var rates: (UInt32, UInt32) = (0, 0)
        if utilization(device, &rates) == Self.success { out.utilization = Double(rates.0) / 100 }
        // nvmlMemory_t { unsigned long long total, free, used }.
        var memoryInfo: (UInt64, UInt64, UInt64) = (0, 0, 0)
        if memory(device, &memoryInfo) == Self.success {
            out.memoryTotalBytes = Double(memoryInfo.0)
            out.memoryUsedBytes = Double(memoryInfo.2)
        }
        var milliwatts: UInt32 = 0
        if power(device, &milliwatts) == Self.success { out.powerWatts = Double(milliwatts) / 1000 }
        var celsius: UInt32 = 0
        if temperature(device, 0, &celsius) == Self.success { out.temperatureCelsius = Double(celsius) }  // NVML_TEMPERATURE_GPU
        out.processMemoryBytes = runningProcesses(device)
        return out
    }

    /// The compute processes on a device: asks for the count, then reads the list (which may
    /// have grown in between: then asks again). Nil when the device cannot say: a device or
    /// driver that answers NVML_ERROR_NOT_SUPPORTED, or any other failure, leaves only the
    /// processes' share unknown, not the device's other values.
    private func runningProcesses(_ device: Device) -> [Int32: Double]? {
        for _ in 0..<3 {
            var n: UInt32 = 0
            let first = processes(device, &n, nil)
            if first == Self.success { return [:] }
            guard first == Self.insufficientSize else { return nil }
            n += 4
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(n) * Self.processInfoSize, alignment: 8)
            defer { buffer.deallocate() }
            let status = processes(device, &n, buffer)
            if status == Self.insufficientSize { continue }
            guard status == Self.success else { return nil }
            var out: [Int32: Double] = [:]
            for i in 0..<Int(n) {
                let base = i * Self.processInfoSize
                let pid = Int32(bitPattern: buffer.load(fromByteOffset: base, as: UInt32.self))
                let used = buffer.load(fromByteOffset: base + 8, as: UInt64.self)
                if used != Self.notAvailable { out[pid, default: 0] += Double(used) }
            }
            return out
        }
        return nil  // the list kept growing
    }
}
