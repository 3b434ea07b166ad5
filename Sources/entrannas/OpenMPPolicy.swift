import Foundation

/// How libgomp's worker threads wait for work: they spin for GOMP_SPINCOUNT iterations, then
/// sleep. libgomp's default (300,000 spins) is slower idle and 5x slower when another job shares
/// the cores (spinning threads take the cores the other job needs); passive waiting (no spin)
/// is best when contended but 25-70% slower idle. A short spin of 1,000 was the fastest idle and
/// 2.5x better than the default when contended (docs/performance.md#openmp-waiting,
/// benchmarks/openmp-wait.sh), with no load sampling that could guess wrong. libgomp reads the
/// setting once, when it loads, so the process re-executes itself with it set. An explicit
/// OMP_WAIT_POLICY or GOMP_SPINCOUNT always wins.
enum OpenMPPolicy {
    static let spinCount = "1000"

    static func choose() {
        let env = ProcessInfo.processInfo.environment
        guard env["OMP_WAIT_POLICY"] == nil, env["GOMP_SPINCOUNT"] == nil else { return }
        setenv("GOMP_SPINCOUNT", spinCount, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // exec failed (no /proc): carry on with libgomp's default.
    }

    /// What `info` prints: the setting libgomp read when it loaded, which is the environment this
    /// process image started with (/proc/self/environ), not what setenv changed since.
    static var description: String {
        let env = startEnvironment ?? ProcessInfo.processInfo.environment
        // libgomp takes GOMP_SPINCOUNT over OMP_WAIT_POLICY's spin.
        if let spins = env["GOMP_SPINCOUNT"] {
            return "spin \(spins), then sleep" + (spins == spinCount ? "" : " (GOMP_SPINCOUNT from the environment)")
        }
        if let policy = env["OMP_WAIT_POLICY"] { return "OMP_WAIT_POLICY=\(policy) (from the environment)" }
        return "libgomp default (spin 300000, then sleep)"
    }

    /// The environment the process image started with; nil without /proc.
    private static var startEnvironment: [String: String]? {
        guard let bytes = FileManager.default.contents(atPath: "/proc/self/environ") else { return nil }
        var env: [String: String] = [:]
        for entry in bytes.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            env[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return env
    }
}
