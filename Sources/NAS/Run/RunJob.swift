import Datasets
import Foundation
import Torch

/// What differs between a search and a training: the step, the epoch's record and the job's own
/// loop state. Everything else of a long run (folder, lock, resume, stopping, checkpoint,
/// metrics.jsonl, log.txt, TensorBoard, report.html, progress, profiling) is `RunLoop`'s, so
/// the two jobs stop, resume and write their files alike. `Searcher` and `Trainer` conform.
public protocol RunJob: AnyObject {
    /// One line of metrics.jsonl (and TensorBoard) per epoch.
    associatedtype Record: Encodable
    /// What the job carries across a checkpoint beyond weights, optimizers, RNG and the epoch's
    /// totals (the search's validation-batch cursor); `NoJobState` when nothing.
    associatedtype State: Codable

    /// The loop that runs this job (built by the job, which owns it; the loop holds the job unowned).
    var loop: RunLoop<Self>! { get }
    /// The checkpoint's kind: "search" or "train".
    var kind: String { get }
    /// The settings as one JSON object: config.json, and what a resume is checked against.
    var settingsJSON: String { get }
    /// Top-level settings a resume may change (a longer run keeps its checkpoint).
    var resumableDifferences: Set<String> { get }
    /// Seed of the data loaders, stored in the checkpoint.
    var dataSeed: UInt64 { get }
    /// Epochs of the whole run.
    var epochs: Int { get }
    /// Batches of the weight (training) split, one step each.
    var trainLoader: DataLoader { get }
    /// The weights the checkpoint stores.
    var model: Module { get }
    /// The optimizers the checkpoint stores, by name.
    var optimizers: [(name: String, optimizer: any Optimizer)] { get }
    /// Where the steps run (synchronised around a profile).
    var device: Device { get }
    /// The layout of weights and batches: stored with the checkpoint, since a resume in another
    /// one continues the run, but not bitwise.
    var memoryFormat: MemoryFormat { get }
    /// How progress is shown: one bar for the whole run, or one per epoch.
    var progressSpan: ProgressSpan { get }
    /// The job's loop state, for the checkpoint.
    var state: State { get }

    /// Continues at `batch` of `epoch` after the checkpoint restored weights, optimizers and RNG.
    /// `state` is nil in a checkpoint written before it was stored as one value; `legacy` holds
    /// that checkpoint's metadata then.
    func resume(epoch: Int, batch: Int, state: State?, legacy: [String: String]) throws
    /// The lines that open log.txt (`resumedAt`: the position a resumed run continues from).
    func header(resumedAt: (epoch: Int, batch: Int)?) -> [String]
    /// Sets what stays fixed within an epoch (learning rate, drop-path, train mode); `batch` is
    /// where the epoch starts (after a resume, not 0).
    func epochWillStart(_ epoch: Int, batch: Int) throws
    /// One step on one batch of `trainLoader`; returns this process' sums (the loop adds the ranks').
    func step(_ batch: HostBatch, epoch: Int) throws -> StepTotals
    /// The epoch's evaluation and record, from the epoch's totals over all ranks; nil when a stop
    /// arrived during the evaluation (the loop then saves the checkpoint at the epoch's end).
    func finishEpoch(_ epoch: Int, totals: EpochTotals, stop: StopSignal, observer: RunObserver?) throws -> EpochRecordLines<Record>?
}

extension RunJob {
    /// Display only (progress bars, printed lines); nil runs silently with the same files.
    public var observer: RunObserver? {
        get { loop.observer }
        set { loop.observer = newValue }
    }

    /// Records a few steps (`--profile`); the run stops once it is done, as on a stop request.
    public var profiler: StepProfiler? {
        get { loop.profiler }
        set { loop.profiler = newValue }
    }

    /// Writes a line to log.txt (rank 0), then shows it.
    func say(_ line: String) throws { try loop.say(line) }
}

/// A job without loop state of its own.
public struct NoJobState: Codable, Sendable, Equatable {
    public init() {}
}

/// How a run shows progress.
public enum ProgressSpan: Sendable {
    /// One bar over every step of every epoch (a search: its epochs are short).
    case run
    /// One bar per epoch, counted in images (a training: an epoch can take an hour).
    case epoch
}

/// One step's sums on one process.
public struct StepTotals: Sendable, Equatable {
    /// Sum of the per-image loss.
    public var lossSum: Double
    /// Images whose top prediction was right.
    public var correct: Double
    /// Images in the step.
    public var count: Double

    public init(lossSum: Double, correct: Double, count: Double) {
        (self.lossSum, self.correct, self.count) = (lossSum, correct, count)
    }
}

/// The sums of the epoch's steps so far over every process, kept in a checkpoint taken mid-epoch.
public struct EpochTotals: Codable, Sendable, Equatable {
    /// Sum of the per-image training loss.
    public var lossSum = 0.0
    /// Training images whose top prediction was right.
    public var correct = 0.0
    /// Training images seen.
    public var seen = 0.0
    /// Wall-clock seconds of the epoch's steps (evaluation excluded).
    public var seconds = 0.0

    public init() {}

    /// Mean training loss (0 before the first step).
    public var meanLoss: Double { lossSum / max(1, seen) }
    /// Training accuracy, 0-1.
    public var accuracy: Double { correct / max(1, seen) }

    mutating func add(_ step: StepTotals) {
        lossSum += step.lossSum
        correct += step.correct
        seen += step.count
    }

    /// The totals of a checkpoint written before they were one value: the search stored
    /// `running` ("loss,correct,count") and `elapsed`, the training `partial_*`.
    init(legacy values: [String: String]) {
        let running = (values["running"] ?? "").split(separator: ",").compactMap { Double($0) }
        if running.count == 3 { (lossSum, correct, seen) = (running[0], running[1], running[2]) }
        if let s = values["elapsed"].flatMap(Double.init) { seconds = s }
        if let l = values["partial_loss_sum"].flatMap(Double.init) { lossSum = l }
        if let c = values["partial_correct"].flatMap(Double.init) { correct = c }
        if let n = values["partial_seen"].flatMap(Double.init) { seen = n }
        if let s = values["partial_seconds"].flatMap(Double.init) { seconds = s }
    }
}

/// An epoch's record and how it is written: `logged` to log.txt, `shown` on the terminal.
public struct EpochRecordLines<Record: Encodable> {
    public var record: Record
    public var logged: String
    public var shown: String

    public init(record: Record, logged: String, shown: String? = nil) {
        (self.record, self.logged, self.shown) = (record, logged, shown ?? logged)
    }
}

extension RunError {
    /// The one error of a run whose loss or gradient stopped being finite: where, at which
    /// learning rate, what was kept, and which flags to lower.
    static func diverged(_ what: String, epoch: Int, step: Int, of steps: Int, learningRate: Double,
                         lower flags: String) -> RunError {
        let kept = epoch > 0 ? "the checkpoint of epoch \(epoch) is kept" : "no checkpoint was written"
        return RunError("\(what) at epoch \(epoch + 1), step \(step + 1) of \(steps) "
                        + "(learning rate \(String(format: "%.4g", learningRate))); the run stopped and \(kept). "
                        + "Start again with \(flags)")
    }
}
