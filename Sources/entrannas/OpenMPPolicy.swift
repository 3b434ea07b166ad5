import Foundation

/// libgomp's worker threads spin while they wait for work. That is fastest on an idle machine
/// (passive waiting cost 40-55% per training step here), but when other busy processes share
/// the cores, spinning threads fight them: a search step went from 2.7 s to 13 s with 2 threads
/// next to other libtorch jobs. So when the machine is already busy at start (1-minute load
/// average at least half the cores), the CLI asks for passive waiting. libgomp reads the
/// setting once, when it loads, so the process re-executes itself with it set. An explicit
/// OMP_WAIT_POLICY is always respected.
enum OpenMPPolicy {
    static func choose() {
        let env = ProcessInfo.processInfo.environment
        // A unit of `experiment` inherits its parent's choice: the load its predecessor left
        // behind says nothing about the machine.
        guard env["OMP_WAIT_POLICY"] == nil, env[inheritedKey] == nil else { return }
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        guard let load = loadAverage(), load >= cores / 2 else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        setenv("ENTRANNAS_PASSIVE_REASON", String(format: "load average %.2f on %.0f cores at start", load, cores), 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // exec failed (no /proc): carry on with libgomp's default.
    }

    /// Set by `experiment` for its child processes.
    static let inheritedKey = "ENTRANNAS_OMP_POLICY_INHERITED"

    /// What `info` prints.
    static var description: String {
        let env = ProcessInfo.processInfo.environment
        guard let policy = env["OMP_WAIT_POLICY"] else { return "default (spin, then sleep): the machine was idle at start" }
        return policy + (env["ENTRANNAS_PASSIVE_REASON"].map { " (\($0))" } ?? " (from OMP_WAIT_POLICY)")
    }

    private static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
