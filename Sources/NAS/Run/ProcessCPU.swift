import Foundation

/// CPU time (user + system, every thread) this process has used. A run keeps its running total
/// in the checkpoint, so its cost survives a process that is killed before it can report it
/// (an experiment unit cut off with its machine).
public enum ProcessCPU {
    public static func seconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}
