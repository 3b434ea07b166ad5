import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT, SIGTERM and SIGHUP for a parent whose children run in process groups of their own
/// (`launch`'s ranks, `experiment`'s units): the terminal's Ctrl-C reaches the parent alone,
/// which passes each signal on once. So a child sees exactly the signals the user sent (the
/// first stops it cleanly, a second quits at once), and `kill PARENT` stops the children too.
/// A closed terminal's SIGHUP is passed on as SIGTERM, which the children stop cleanly on.
enum ForwardedSignals {
    /// The last signal received and not yet taken; lock-free, so the handler may store into it.
    private static let pending = Atomic<Int32>(0)

    static func install() {
        pending.store(0, ordering: .sequentiallyConsistent)  // initialised here, never in the handler
        let handler: @convention(c) (Int32) -> Void = { sig in
            ForwardedSignals.pending.store(sig == SIGHUP ? SIGTERM : sig, ordering: .sequentiallyConsistent)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGHUP, handler)
    }

    /// The last signal received since the previous call, 0 when none.
    static func take() -> Int32 {
        pending.exchange(0, ordering: .sequentiallyConsistent)
    }
}
