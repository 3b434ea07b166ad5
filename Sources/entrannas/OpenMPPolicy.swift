import Foundation

/// libgomp's worker threads spin while they wait for work. On a machine that is busy with other
/// processes this makes libtorch up to 5x slower (measured: a search step went from 2.7 s to
/// 13 s with 2 threads on a loaded 2-core machine), so the CLI asks for passive waiting. libgomp
/// reads the setting once, when it loads, so the process re-executes itself with it set. An
/// explicit OMP_WAIT_POLICY is respected.
enum OpenMPPolicy {
    static func ensurePassiveWaiting() {
        guard ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // exec failed (no /proc): carry on with the default policy.
    }
}
