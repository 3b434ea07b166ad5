import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request to stop a long loop cleanly, set by Ctrl-C (SIGINT) or SIGTERM.
///
/// Loops poll `isRequested` after each step; when it is set they finish the step, save a
/// checkpoint, print how to resume, and exit with `StopSignal.exitCode` (130). The signal handler
/// only stores into a `sig_atomic_t` flag and writes a prepared notice with `write(2)`, both
/// async-signal-safe, so it works whichever thread the kernel picks (a dispatch signal source
/// on Linux uses signalfd and misses signals that land on a thread not blocking them). A second
/// signal while a stop is pending exits at once with `_exit`: the last checkpoint on disk is
/// complete, because checkpoints are written atomically.
public final class StopSignal: @unchecked Sendable {
    /// The process-wide instance the commands install.
    public static let shared = StopSignal()
    /// The shell's convention for "ended by Ctrl-C".
    public static let exitCode: Int32 = 130

    private let lock = NSLock()
    private var requestedBy: String?
    private var installed = false

    /// A flag of its own, not installed (tests, or a library caller stopping by `request`).
    public init() {}

    /// Whether a stop was requested (by a signal while installed, or by `request`).
    public var isRequested: Bool { reason != nil }

    /// What asked for the stop: "SIGINT", "SIGTERM", or the reason given to `request`.
    public var reason: String? {
        lock.lock()
        defer { lock.unlock() }
        if requestedBy == nil && installed && pendingSignal != 0 {
            requestedBy = pendingSignal == SIGTERM ? "SIGTERM" : "SIGINT"
        }
        return requestedBy
    }

    /// Asks the loop to stop after its current step (tests and tools; signals do it when installed).
    public func request(_ reason: String = "request") {
        lock.lock()
        defer { lock.unlock() }
        if requestedBy == nil { requestedBy = reason }
    }

    /// Forgets a pending request.
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        requestedBy = nil
        if installed { pendingSignal = 0 }
    }

    /// Routes SIGINT and SIGTERM to this instance until `uninstall()`. Handlers are process-wide,
    /// so install one instance at a time (normally `shared`).
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        pendingSignal = 0
        stopNotice.withUnsafeBufferPointer { _ = $0 }  // built now, not inside the handler
        installed = true
        signal(SIGINT, stopSignalHandler)
        signal(SIGTERM, stopSignalHandler)
    }

    /// Gives SIGINT and SIGTERM their default action back.
    public func uninstall() {
        lock.lock()
        defer { lock.unlock() }
        guard installed else { return }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        installed = false
    }
}

/// The number of the first stop signal received, 0 before; written only by the handler.
nonisolated(unsafe) private var pendingSignal: sig_atomic_t = 0

/// The notice the handler writes, prepared outside it (the handler must not allocate).
private let stopNotice: [UInt8] = Array(
    "\nstop requested: finishing the current step, then saving a checkpoint (Ctrl-C again quits at once)\n".utf8)

private func stopSignalHandler(_ number: Int32) {
    if pendingSignal != 0 { _exit(130) }  // StopSignal.exitCode, spelled out: no lazy global here
    pendingSignal = number
    stopNotice.withUnsafeBufferPointer { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
