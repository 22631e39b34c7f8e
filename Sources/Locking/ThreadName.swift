#if canImport(Glibc)
import Glibc

/// glibc's GNU extension, which its Swift module leaves out.
@_silgen_name("pthread_setname_np") private func pthread_setname_np(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
#endif

/// The calling thread's name as `top -H`, `ps -L`, `perf` and /proc show it (Linux keeps the
/// first 15 bytes). Foundation's `Thread.name`, set before the thread starts, does not reach the
/// kernel on Linux, so each long-lived thread names itself first thing.
package enum ThreadName {
    package static func set(_ name: String) {
        #if canImport(Glibc)
        let bytes = name.utf8.prefix(15).map { CChar(bitPattern: $0) } + [0]
        _ = pthread_setname_np(pthread_self(), bytes)
        #endif
    }
}
