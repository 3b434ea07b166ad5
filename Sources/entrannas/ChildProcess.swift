import Foundation
import NAS
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose peak resident memory is its own: posix_spawn, then wait4 for the
/// child's rusage (Foundation's Process does not report it).
enum ChildProcess {
    /// Runs to completion; returns the exit status (128 + signal when killed), peak RSS in bytes
    /// and CPU seconds (user + system), which unlike wall time do not grow when others share the cores.
    static func run(executable: String, arguments: [String], environment: [String: String]) throws
        -> (status: Int32, peakBytes: Int, cpuSeconds: Double) {
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, nil, nil, argv, envp)
        guard rc == 0 else { throw RunError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw RunError("waiting for \(executable) failed: \(String(cString: strerror(errno)))") }
        }
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (code, Int(usage.ru_maxrss) * 1024, seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
}
