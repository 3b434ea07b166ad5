import Foundation

/// How many cores a command started by this test would get now: a check that needs a core for
/// each of its processes can tell "the code is wrong" from "the machine is busy". Measured, not
/// read from /proc/stat: under autogroup scheduling a niced process of another session competes
/// like a nice-0 one, and a nice-19 session's does not, which no counter says (a niced job in
/// another nice-0 session left two ranks one core between them).
enum MachineLoad {
    /// Runs one busy process per core for `seconds` and returns the cores they got together (their
    /// CPU over the `seconds` they spin: the wall time of starting and reaping them, 50 ms polls
    /// in Foundation, is not the machine's to give).
    static func coresAvailable(seconds: Double = 0.4) throws -> Double {
        let before = childrenCPUSeconds()
        let spinners = try (0..<ProcessInfo.processInfo.activeProcessorCount).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["\(seconds)", "/bin/sh", "-c", "while :; do :; done"]
            try process.run()
            return process
        }
        for spinner in spinners { spinner.waitUntilExit() }
        return (childrenCPUSeconds() - before) / seconds
    }

    /// CPU seconds (user and system) of this process's children that have been waited for.
    private static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
