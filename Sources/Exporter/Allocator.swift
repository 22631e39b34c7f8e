#if canImport(Glibc)
import Glibc

/// glibc's malloc tuning and trimming (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32
#endif

/// The C library's allocator, tuned for a long-running exporter.
package enum Allocator {
    /// One malloc arena for every thread. glibc gives each thread that contends for the heap
    /// an arena of its own (up to 8 per core), and memory freed in one is reused only by the
    /// threads that allocate there: with libmicrohttpd's pool threads each ingesting into its
    /// own arena, a 100-feature model with a 10,000-event window kept 15 MB more resident
    /// (bench/serve_memory.py). Small allocations are served by each thread's cache without the
    /// arena's lock. Call before any thread starts.
    package static func useOneArena() {
        #if canImport(Glibc)
        _ = mallopt(-8, 1)  // M_ARENA_MAX
        #endif
    }

    /// Tuning for a short process that allocates and frees much on several threads at once
    /// (`evaluate`: chunks of rows become events on every core and are freed once the window
    /// has taken them): heaps grow, and keep when memory is freed, 4 MiB beyond what is in use.
    /// By default (128 KiB) a thread's heap gave memory back as soon as a chunk was freed and
    /// faulted it in (zeroed) again for the next: with the current file read beside the
    /// reference on a third thread, `evaluate` took 22,000 page faults instead of 12,500 and
    /// 10–30 ms more processor time. More than 4 MiB saved no more faults and raised the peak
    /// resident memory (6 MB at 16 MiB). Call before any thread starts.
    package static func keepFreedMemory() {
        #if canImport(Glibc)
        _ = mallopt(-2, 4 << 20)  // M_TOP_PAD
        #endif
    }

    /// Gives memory that was freed back to the system, where the C library can.
    package static func releaseFreedMemory() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
