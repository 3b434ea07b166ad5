#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM for a parent whose children run in process groups of their own (`launch`'s
/// ranks, `experiment`'s units): the terminal's Ctrl-C reaches the parent alone, which passes
/// each signal on once. So a child sees exactly the signals the user sent (the first stops it
/// cleanly, a second quits at once), and `kill PARENT` stops the children too.
enum ForwardedSignals {
    nonisolated(unsafe) private static var pending: sig_atomic_t = 0

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { sig in ForwardedSignals.pending = sig }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// The last signal received since the previous call, 0 when none.
    static func take() -> Int32 {
        let sig = pending
        pending = 0
        return sig
    }
}
