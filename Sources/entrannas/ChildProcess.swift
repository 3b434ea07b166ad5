import Foundation
import NAS
#if canImport(Glibc)
import Glibc
#endif

/// A child `entrannas` process in a process group of its own: started with posix_spawn, waited
/// on with wait4 for its own rusage (Foundation's Process reports no peak memory).
enum ChildProcess {
    /// Starts `executable` in process group `group` (0: a new group it leads), so the terminal's
    /// signals reach only the parent, which passes them on. The child learns its parent's pid
    /// (ENTRANNAS_PARENT_PID) and stops cleanly if that process dies without passing a signal on
    /// (ParentWatch). With `output`, its stdout and stderr are appended to that file.
    static func spawn(executable: String, arguments: [String], environment: [String: String],
                      group: pid_t = 0, output: URL? = nil) throws -> pid_t {
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        var childEnvironment = environment
        childEnvironment["ENTRANNAS_PARENT_PID"] = "\(getpid())"
        let envp: [UnsafeMutablePointer<CChar>?] = childEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, group)
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw RunError("cannot start \(executable): \(SystemReason.text(errno: rc))") }
        return pid
    }

    /// Runs to completion; returns the exit status (128 + signal when killed), peak RSS in bytes
    /// and CPU seconds (user + system), which unlike wall time do not grow when others share the
    /// cores. Output and process group as `spawn`; only signals passed on through `running`
    /// (which knows the pid while the child runs) reach it.
    static func run(executable: String, arguments: [String], environment: [String: String],
                    output: URL? = nil, running: RunningChildren? = nil) throws
        -> (status: Int32, peakBytes: Int, cpuSeconds: Double) {
        let pid = try spawn(executable: executable, arguments: arguments, environment: environment, output: output)
        running?.insert(pid, output: output)
        defer { running?.remove(pid) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw RunError("waiting for \(executable) failed: \(SystemReason.text(errno: errno))") }
        }
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (code, Int(usage.ru_maxrss) * 1024, seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
}

/// The children running now, to pass the user's signals on to them, and so that one failing
/// unit can ask the others to stop as Ctrl-C does: each saves a checkpoint and exits. Once a
/// signal was sent, a child that registers afterwards (it was starting meanwhile) gets it too.
final class RunningChildren: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: [pid_t: URL?] = [:]
    private var sent: Int32?

    func insert(_ pid: pid_t, output: URL?) {
        lock.lock()
        defer { lock.unlock() }
        pids[pid] = output
        if let sent { kill(pid, sent) }
    }
    func remove(_ pid: pid_t) { lock.lock(); pids[pid] = nil; lock.unlock() }

    /// The files the running children write their output to (those that have one), by start.
    var outputs: [URL] {
        lock.lock()
        defer { lock.unlock() }
        return pids.sorted { $0.key < $1.key }.compactMap { $0.value }
    }

    /// Sends `sig` to every running child, and to every child that starts later.
    func signalAll(_ sig: Int32 = SIGINT) {
        lock.lock()
        defer { lock.unlock() }
        sent = sig
        for pid in pids.keys { kill(pid, sig) }
    }
}
