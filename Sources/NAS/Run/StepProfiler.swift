import Foundation
import Torch

/// `--profile N` of search and train: leaves the first `warmup` steps alone (first-call
/// allocations, oneDNN's kernel choice), records the next N with libtorch's profiler, writes
/// `profile.json` (a Chrome trace for chrome://tracing or https://ui.perfetto.dev) and
/// `profile.md` (the operators with the most self time) into the run folder, and then says the
/// run is done: the loop stops there as on Ctrl-C, its checkpoint saved.
public final class StepProfiler {
    /// Steps to record.
    public let steps: Int
    /// Steps run before recording starts.
    public let warmup: Int
    /// Where the two files go; nil on the ranks of a data-parallel run that write nothing.
    public let directory: RunDirectory?
    /// The device the steps run on (synchronised at both ends, so a GPU's queued work counts).
    public let device: Device
    /// What the run did, for the table's heading ("search step", "training step").
    public let what: String
    private var seen = 0
    private var recording = false
    private var started = Date()
    /// Wall-clock seconds of the recorded steps (the device synchronised at both ends).
    public private(set) var seconds = 0.0
    /// The summary, once recording has ended.
    public private(set) var summary: ProfileSummary?
    /// Steps recorded: `steps`, or fewer when the run ended first.
    public private(set) var recorded = 0

    public init(steps: Int, warmup: Int = 1, directory: RunDirectory?, device: Device, what: String) throws {
        guard steps > 0, warmup >= 0 else { throw RunError("--profile needs a number of steps of at least 1, got \(steps)") }
        (self.steps, self.warmup, self.directory, self.device, self.what) = (steps, warmup, directory, device, what)
    }

    /// Whether recording has ended and the files are written.
    public var isDone: Bool { summary != nil }

    /// `profile.json` in the run folder.
    public var traceURL: URL? { directory?.file("profile.json") }

    /// Call before each step: starts recording when the warm-up is over.
    public func stepWillStart() throws {
        guard seen == warmup, !recording, summary == nil else { return }
        try CUDAMemory.synchronize(device)
        try Profiler.start(recordShapes: true)  // input sizes in the trace, and per-shape medians for stalls
        recording = true
        started = Date()
    }

    /// Call after each step: after the last recorded one, stops and writes the files.
    public func stepDidEnd() throws {
        seen += 1
        if recording && seen == warmup + steps { try finish() }
    }

    /// Stops recording and writes the files (also when the run ends before `steps` were recorded);
    /// nothing when it is not recording.
    public func finish() throws {
        guard recording else { return }
        recording = false
        recorded = seen - warmup
        try CUDAMemory.synchronize(device)
        seconds = Date().timeIntervalSince(started)
        guard let directory, let trace = traceURL else {
            try Profiler.stop(writingTo: nil)
            summary = try ProfileSummary(spans: [])
            return
        }
        try Profiler.stop(writingTo: trace)
        let result = try ProfileSummary(traceAt: trace)
        try AtomicFile.write(markdown(result) + "\n", to: directory.file("profile.md"))
        summary = result
    }

    /// What the run says when the profile is written: the table, then where the files are.
    public var lines: [String] {
        guard let summary, let trace = traceURL else { return [] }
        let steps = max(recorded, 1)
        return [summary.table(top: 12, steps: steps)] + [summary.outlierNote(steps: steps)].compactMap { $0 }
            + ["profiled \(Plural.counted(recorded, what)) (after \(warmup) not recorded): \(trace.path) "
                + "(open it in https://ui.perfetto.dev or chrome://tracing), the top 20 operators in profile.md"]
    }

    /// The table with a heading that says what was recorded and how to open the trace.
    public func markdown(_ summary: ProfileSummary) -> String {
        """
        ## Profile: \(Plural.counted(recorded, what)) after \(warmup) not recorded

        \(String(format: "%.1f", seconds * 1000 / Double(max(recorded, 1)))) ms per step (wall clock, profiling included), \
        \(String(format: "%.1f", summary.selfMicroseconds / 1000 / Double(max(recorded, 1)))) ms of recorded time per step \
        on the profiled threads, \(Plural.counted(Torch.threadCount, "libtorch thread"))\
        \(device.isCUDA ? " (CPU-side times: on a GPU an operator's time is mostly its launch, and the backward's thread waits are counted too)" : "").
        Self time is an operator's own, without the operators it calls; a range's (EngineCell,
        TransitCell, architecture step, weight step, training step) is the time between operators.
        The whole trace: profile.json, for chrome://tracing or https://ui.perfetto.dev.

        \(summary.table(top: 20, steps: max(recorded, 1)))
        \(summary.outlierNote(steps: max(recorded, 1)).map { "\n" + $0 } ?? "")
        """
    }
}
