import Foundation

/// The terminal display of a run: a progress bar per stretch of work and every logged line on
/// stdout. The CLI uses it; a library user passes it for the same output, or nothing for silence.
public final class ConsoleObserver: RunObserver {
    private var bar: ProgressBar?

    /// An observer with no bar shown yet.
    public init() {}

    /// Ends any bar still shown and starts a new one.
    public func progressWillStart(label: String, total: Int, unit: String, done: Int) {
        bar?.finish()
        bar = ProgressBar(label: label, total: total, unit: unit, initial: done)
    }

    /// Redraws the bar.
    public func progress(done: Int, metrics: [(String, String)]) { bar?.update(done: done, metrics: metrics) }

    /// Ends the bar, leaving its last line.
    public func progressDidFinish() {
        bar?.finish()
        bar = nil
    }

    /// Ends any bar, then prints the line.
    public func runDidLog(_ line: String) {
        bar?.finish()
        print(line)
        fflush(nil)
    }
}
