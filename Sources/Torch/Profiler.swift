import CTorch
import Foundation

/// libtorch's autograd profiler (its legacy, thread-local variant, which needs no Kineto): between
/// `start` and `stop`, every operator the calling thread runs, forward and backward, and every
/// `range`, written as a Chrome trace that chrome://tracing and https://ui.perfetto.dev open.
/// Times are the CPU's: on a GPU they are launch times unless the caller synchronises.
public enum Profiler {
    /// Starts recording on this thread; throws when it already records.
    public static func start(recordShapes: Bool = false) throws {
        try TorchError.check(ct_profiler_start(recordShapes), "starting the profiler")
    }

    /// Stops recording and writes the trace to `url` (atomically), or drops it when `url` is nil.
    public static func stop(writingTo url: URL?) throws {
        let rc = url.map { ct_profiler_stop($0.path) } ?? ct_profiler_stop(nil)
        try TorchError.check(rc, "stopping the profiler")
    }

    /// Runs `body` as a named range: a span in the trace around the operators it runs (nothing is
    /// recorded, and almost nothing spent, while the profiler is off).
    @discardableResult
    public static func range<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        let handle = ct_range_begin(name)
        defer { ct_range_end(handle) }
        return try body()
    }
}
