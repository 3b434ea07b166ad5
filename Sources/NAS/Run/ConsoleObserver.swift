import Foundation

/// The terminal display of a run: a progress bar per stretch of work and every logged line on
/// stdout. The CLI uses it; a library user passes it for the same output, or nothing for silence.
public final class ConsoleObserver: RunObserver {
    private var bar: ProgressBar?

    public init() {}

    public func progressWillStart(label: String, total: Int, unit: String, done: Int) {
        bar?.finish()
        bar = ProgressBar(label: label, total: total, unit: unit, initial: done)
    }

    public func progress(done: Int, metrics: [(String, String)]) { bar?.update(done: done, metrics: metrics) }

    public func progressDidFinish() {
        bar?.finish()
        bar = nil
    }

    public func runDidLog(_ line: String) {
        bar?.finish()
        print(line)
        fflush(nil)
    }
}
