import Datasets
import Foundation
import Torch

/// How `RunLoop.run` ended.
public enum RunLoopOutcome: Equatable, Sendable {
    /// Every epoch is done.
    case finished
    /// A stop was requested; the checkpoint holds `epoch` finished epochs and `batch` steps of the next.
    case stopped(epoch: Int, batch: Int)
    /// `--profile` recorded its steps and wrote profile.json and profile.md; the run stopped
    /// there as on a stop request, its checkpoint saved.
    case profiled(epoch: Int, batch: Int)
}

/// The epoch loop of every long run, search or training: the job (`RunJob`) supplies the step
/// and the epoch's record, the loop does the rest the same way for both:
///
/// - the folder: takes its lock, refuses a new run over an old one, writes config.json;
/// - resume (`run(resume:)`): checks the settings against the checkpoint, restores weights,
///   optimizers, RNG, position and loop state, drops metrics lines of epochs that run again;
/// - after each step: the ranks' sums, the progress, and a stop (`StopSignal`, or a finished
///   `--profile`) that saves the checkpoint between two steps;
/// - after each epoch: metrics.jsonl, TensorBoard, log.txt, the checkpoint (atomic), report.html.
///
/// In a data-parallel run every rank runs the loop and only rank 0 writes.
public final class RunLoop<Job: RunJob> {
    /// The search or training (which owns its loop: held unowned, so neither outlives the other).
    public unowned let job: Job
    /// The output folder.
    public let directory: RunDirectory
    /// The processes the batches are spread over.
    public let parallel: DataParallel
    /// Polled after every step and every epoch.
    public let stop: StopSignal
    /// Display only; nil runs silently with the same files.
    public var observer: RunObserver?
    /// Records a few steps (`--profile`); the loop stops once it is done, as on a stop request.
    public var profiler: StepProfiler?
    /// Position: the next step is `batch` of `epoch`.
    public private(set) var epoch = 0
    /// Steps already run in `epoch`.
    public private(set) var batch = 0
    private var totals = EpochTotals()
    /// When this process began the current epoch, and the images it had seen then: the rate.
    private var epochBegan = Date()
    private var seenAtBegin = 0
    private var eta = RunETA()
    /// CPU seconds of the earlier processes of this run (from the checkpoint), and this
    /// process' CPU clock when it opened the run: their sum with the clock's advance is the
    /// run's CPU so far, kept in every checkpoint (`Checkpoint.cpuSeconds`).
    private var cpuBefore = 0.0
    private var cpuAtOpen = 0.0
    /// The machines of the run's processes (every rank's), in order of first use, kept in every
    /// checkpoint: CPU times compare only within one machine.
    private var machines: [String] = []
    private var log: RunLog?
    private var metrics: MetricsLog?
    private var tensorBoard: TensorBoardLog?
    private var lock: RunLock?

    public init(job: Job, directory: RunDirectory, parallel: DataParallel = .single, stop: StopSignal = .shared) {
        (self.job, self.directory, self.parallel, self.stop) = (job, directory, parallel, stop)
    }

    /// Prepares the folder (or, with `resume`, reads its checkpoint), then runs until the last
    /// epoch ends or a stop is requested. The lock is held until the loop is released.
    public func run(resume: Bool, primitives: [String] = []) throws -> RunLoopOutcome {
        try open(resume: resume, primitives: primitives)
        let steps = job.trainLoader.batchCount
        if job.progressSpan == .run {
            observer?.progressWillStart(label: job.kind, total: job.epochs * steps, unit: "step", done: epoch * steps + batch)
        }
        defer { if job.progressSpan == .run { observer?.progressDidFinish() } }
        while epoch < job.epochs {
            if batch == 0 { totals = EpochTotals() }
            try job.epochWillStart(epoch, batch: batch)
            if job.progressSpan == .epoch {
                observer?.progressWillStart(label: "epoch \(epoch + 1)/\(job.epochs)", total: job.trainLoader.imagesPerEpoch,
                                            unit: "img", done: Int(totals.seen))
            }
            let began = Date()
            (epochBegan, seenAtBegin) = (began, Int(totals.seen))
            for host in try job.trainLoader.epoch(epoch, startingAtBatch: batch) {
                try profiler?.stepWillStart()
                let local = try job.step(host, epoch: epoch)
                // The whole batch's sums; then whether any rank stops, so all stop together.
                let sums = try parallel.sum([local.lossSum, local.correct, local.count])
                totals.add(StepTotals(lossSum: sums[0], correct: sums[1], count: sums[2]))
                batch += 1
                try profiler?.stepDidEnd()
                showProgress(steps: steps)
                if try parallel.any(stop.isRequested || profiler?.isDone == true) {
                    if job.progressSpan == .epoch { observer?.progressDidFinish() }
                    totals.seconds += Date().timeIntervalSince(began)
                    return try stopped()
                }
            }
            if job.progressSpan == .epoch { observer?.progressDidFinish() }
            let trained = Date().timeIntervalSince(began)
            totals.seconds += trained
            guard let lines = try job.finishEpoch(epoch, totals: totals, stop: stop, observer: observer) else {
                return try stopped()
            }
            epoch += 1
            batch = 0
            try record(lines)
            try saveCheckpoint()
            if parallel.isMain { try HTMLReport.write(for: directory.url) }
            // An epoch resumed mid-way is not a whole epoch's length.
            if seenAtBegin == 0 { eta.epochDidEnd(seconds: Date().timeIntervalSince(began), trainingSeconds: trained) }
            if try parallel.any(stop.isRequested) && epoch < job.epochs { return .stopped(epoch: epoch, batch: 0) }
        }
        try profiler?.finish()
        for line in profiler?.lines ?? [] { try say(line) }
        return .finished
    }

    /// Writes a line to log.txt (rank 0), then shows it.
    public func say(_ line: String) throws { try log?.write(line, showing: observer) }

    /// The lock, the folder, config.json or the checkpoint, and the logs.
    private func open(resume: Bool, primitives: [String]) throws {
        cpuAtOpen = ProcessCPU.seconds()
        if parallel.isMain {
            lock = try RunLock(directory)
            try directory.prepare(resume: resume)
            log = try RunLog(url: directory.log)
        } else if resume && !directory.hasCheckpoint {
            throw RunError("cannot resume: rank \(parallel.rank) sees no \(directory.checkpoint.path); every rank reads the checkpoint, so the output folder must be shared")
        }
        if resume {
            try loadCheckpoint()
        } else if parallel.isMain {
            do { try AtomicFile.write(job.settingsJSON + "\n", to: directory.configuration) } catch {
                throw RunError("cannot write \(directory.configuration.path): \(error)")
            }
        }
        if parallel.isMain {
            metrics = try MetricsLog(url: directory.metrics)
            tensorBoard = try TensorBoardLog(folder: directory.url, primitives: primitives, resume: resume)
        }
        for line in job.header(resumedAt: resume ? (epoch, batch) : nil) { try say(line) }
        // Every process of the run names its machine: CPU times compare only within one.
        let opened = MachineDescription.union(try everyRanksMachine())
        machines = MachineDescription.union(machines, opened)
        for machine in opened { try say("machine: \(machine)") }
    }

    /// The machine of every rank, in rank order (a collective: every rank calls it in `open`).
    private func everyRanksMachine() throws -> [String] {
        guard parallel.worldSize > 1 else { return [MachineDescription.current] }
        let slots = MachineDescription.slots(MachineDescription.current, rank: parallel.rank, worldSize: parallel.worldSize)
        return MachineDescription.descriptions(summed: try parallel.sum(slots), worldSize: parallel.worldSize)
    }

    /// The run's CPU seconds so far: the checkpoint's total from the processes before these,
    /// plus what every rank's process has used since it opened the run. A collective in a
    /// data-parallel run: every rank calls it at the same point of the loop.
    private func cpuSoFar() throws -> Double {
        cpuBefore + (try parallel.sum([ProcessCPU.seconds() - cpuAtOpen]))[0]
    }

    /// The loop state stored in the checkpoint's metadata under `loop`.
    private struct LoopState: Codable {
        var totals: EpochTotals
        var job: Job.State
        /// The run's CPU seconds up to this checkpoint, over every process and rank (nil: written before
        /// it was kept).
        var cpuSeconds: Double?
        /// The machines of the processes up to this checkpoint (nil: written before they were kept).
        var machines: [String]?
    }

    private func loadCheckpoint() throws {
        let checkpoint = try Checkpoint.load(from: directory.checkpoint)
        try checkpoint.checkConfiguration(job.settingsJSON, kind: job.kind, ignoring: job.resumableDifferences)
        // The position comes from the file: checked before it rewinds metrics.jsonl or sizes a loop.
        let steps = job.trainLoader.batchCount
        guard (0...job.epochs).contains(checkpoint.epoch), (0...steps).contains(checkpoint.batch),
              checkpoint.epoch < job.epochs || checkpoint.batch == 0 else {
            throw RunError("\(directory.checkpoint.path) says epoch \(checkpoint.epoch), batch \(checkpoint.batch), outside this run "
                           + "(\(job.epochs) epochs of \(steps) batches); the file is damaged: move it away to start over")
        }
        try checkpoint.restore(model: job.model, optimizers: job.optimizers)
        (epoch, batch) = (checkpoint.epoch, checkpoint.batch)
        let state = try checkpoint.values["loop"].map { text in
            do { return try JSONFormat.decoder(snakeCase: false).decode(LoopState.self, from: Data(text.utf8)) } catch {
                throw RunError("the checkpoint's loop state cannot be read (\(error)); the file is damaged")
            }
        }
        totals = state?.totals ?? EpochTotals(legacy: checkpoint.values)
        cpuBefore = state?.cpuSeconds ?? 0
        // Earlier processes ran somewhere; a checkpoint from before the record cannot say where.
        machines = state?.machines ?? [MachineDescription.notRecorded]
        try job.resume(epoch: epoch, batch: batch, state: state?.job, legacy: checkpoint.values)
        if let threads = checkpoint.threadCount, threads != Torch.threadCount {
            try say("note: the checkpoint was written with \(threads) threads, this run has \(Torch.threadCount); "
                    + "results match an uninterrupted run bitwise only with the same --threads")
        }
        if let format = checkpoint.memoryFormat, format != job.memoryFormat.rawValue {
            try say("note: the checkpoint was written in the \(format) layout, this run uses \(job.memoryFormat.rawValue); "
                    + "results match an uninterrupted run bitwise only with --memory-format \(format)")
        }
        // Epochs finished after this checkpoint was written run again: drop their lines.
        if parallel.isMain { try MetricsLog.rewind(directory.metrics, keepingThrough: epoch) }
    }

    /// Writes the checkpoint atomically (temporary file, then rename). Every rank calls it (the
    /// CPU total it keeps is summed over the ranks); rank 0 alone writes.
    public func saveCheckpoint() throws {
        let cpu = try cpuSoFar()  // every rank takes part in the sum
        guard parallel.isMain else { return }
        let state = try JSONFormat.text(LoopState(totals: totals, job: job.state, cpuSeconds: cpu, machines: machines), snakeCase: false)
        try Checkpoint.save(to: directory.checkpoint, kind: job.kind, configuration: job.settingsJSON, epoch: epoch,
                            batch: batch, dataSeed: job.dataSeed, model: job.model, optimizers: job.optimizers,
                            values: ["loop": state, Checkpoint.memoryFormatKey: job.memoryFormat.rawValue])
    }

    /// A stop between two steps (or in an epoch's evaluation): the checkpoint, the report, the outcome.
    private func stopped() throws -> RunLoopOutcome {
        try saveCheckpoint()
        if parallel.isMain { try HTMLReport.write(for: directory.url) }
        if let profiler, profiler.isDone {
            for line in profiler.lines { try say(line) }
            return .profiled(epoch: epoch, batch: batch)
        }
        return .stopped(epoch: epoch, batch: batch)
    }

    /// Appends the epoch to metrics.jsonl, TensorBoard and log.txt (each flushed: a crash loses nothing).
    private func record(_ lines: EpochRecordLines<Job.Record>) throws {
        let record = CPUTimedRecord(record: lines.record, cpuSeconds: try cpuSoFar())
        try metrics?.append(record)
        try tensorBoard?.append(record)
        try log?.write(lines.logged)
        if parallel.isMain { observer?.runDidLog(lines.shown) }
    }

    private func showProgress(steps: Int) {
        let loss = String(format: "%.4f", totals.meanLoss), acc = String(format: "%.2f%%", 100 * totals.accuracy)
        switch job.progressSpan {
        case .run:
            observer?.progress(done: epoch * steps + batch, metrics: [("epoch", "\(epoch + 1)/\(job.epochs)"), ("loss", loss), ("acc", acc)])
        case .epoch:
            let seen = Int(totals.seen), images = job.trainLoader.imagesPerEpoch
            let left = epoch + 1 < job.epochs
                ? eta.secondsLeft(images: seen, total: images, counted: seen - seenAtBegin,
                                  elapsed: Date().timeIntervalSince(epochBegan), epochsAfter: job.epochs - epoch - 1)
                : nil  // the last epoch: the bar's own ETA is the run's
            let runETA = left.map { [("run ETA", ProgressBar.formatDuration($0))] } ?? []
            observer?.progress(done: seen, metrics: runETA + [("loss", loss), ("acc", acc)])
        }
    }
}

/// An epoch's metrics record with the run's CPU seconds so far (`cpu_seconds`), counted over
/// every process that ran it: a script reads a run's CPU cost from metrics.jsonl even when an
/// earlier process was killed before anything outside could time it.
struct CPUTimedRecord<Record: Encodable>: Encodable {
    let record: Record
    let cpuSeconds: Double

    private enum Key: String, CodingKey { case cpuSeconds }

    func encode(to encoder: Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(cpuSeconds, forKey: .cpuSeconds)
    }
}
