import Datasets
import Foundation
import Torch

/// How `SearchRun.run` ended.
public enum SearchOutcome: Sendable {
    /// Every epoch is done; the genotype, diagrams and the consistency report are written.
    case finished(ConsistencyReport)
    /// A stop was requested; the checkpoint holds the position to resume from.
    case stopped(epoch: Int, step: Int)
    /// `--profile` recorded its steps and wrote profile.json and profile.md; the search stopped
    /// there as on a stop request, its checkpoint saved.
    case profiled(ProfileSummary)
}

/// A complete search as the `search` and `run` commands perform it: data split, network,
/// search loop, and the files of its output folder, which the run writes itself:
///
///     checkpoint.safetensors (every epoch and on a stop)  metrics.jsonl  log.txt  tensorboard/
///     config.json  genotype.json  genotype.txt  report.json  report.html
///     normal.dot/.svg/.png  reduce.dot/.svg/.png
///
/// A write that fails (disk full, permission) throws and ends the run; the checkpoint is
/// replaced atomically, so the last good one stays. In a data-parallel run every rank computes
/// and only rank 0 writes; every rank resumes from the same checkpoint.
public final class SearchRun {
    /// The search space and method.
    public let config: SearchSpaceConfig
    /// Epochs, batch size and learning rates.
    public let hyper: SearchHyperparameters
    /// Seed of weights, data split and batches.
    public let seed: UInt64
    /// The output folder.
    public let directory: RunDirectory
    /// The search loop.
    public let searcher: Searcher
    /// The training set the two search splits are drawn from.
    public let dataset: Dataset
    /// log.txt: every line the run shows, and the full weight matrices per epoch (nil on the
    /// ranks other than 0, which write nothing).
    public let log: RunLog?
    /// The folder's lock, held while this run exists (main process only).
    private var folderLock: RunLock?
    /// The processes the batches are spread over.
    public let parallel: DataParallel
    /// Display only (progress bars, printed lines); nil runs silently with the same files.
    public var observer: RunObserver?
    private var metrics: MetricsLog?
    private var tensorBoard: TensorBoardLog?

    /// The output folder's URL.
    public var output: URL { directory.url }
    /// `checkpoint.safetensors` in the output folder.
    public var checkpointURL: URL { directory.checkpoint }

    /// Builds everything; with `resume`, continues from the checkpoint in `output`, which must
    /// have been written with the same settings. `workers` threads prepare the batches (decoding
    /// an image folder's files is worth several); `memoryFormat` lays out the weights and batches
    /// (channels-last is faster on CPUs for most methods: docs/performance.md#cpu-layouts).
    public init(config: SearchSpaceConfig, hyper: SearchHyperparameters, train: Dataset, seed: UInt64, output: URL,
                resume: Bool, device: Device = .cpu, parallel: DataParallel = .single, workers: Int = 1,
                memoryFormat: MemoryFormat = .contiguous) throws {
        try config.validate()
        try hyper.validate()
        self.config = config
        self.hyper = hyper
        self.seed = seed
        directory = RunDirectory(url: output)
        dataset = train
        let split = try hyper.weightFraction.map { w in
            try SearchSplit(labels: train.labels, classCount: train.classCount, weightFraction: w,
                            architectureFraction: hyper.architectureFraction!, seed: seed)
        } ?? SearchSplit(dataset: train, trainPortion: hyper.trainPortion, limit: hyper.limit, seed: seed)
        // DARTS searches with crop (and flip for CIFAR), without cutout.
        // An image folder searches with ImageNet's augmentation, as PC-DARTS' ImageNet search.
        let augmentation = (try? DatasetSpec(name: train.name))?.trainingAugmentation
            ?? (train.channels == 3 ? Augmentation(cropPadding: 4, horizontalFlip: true)
                : Augmentation(cropPadding: 2, horizontalFlip: false))
        let trainLoader = try DataLoader(dataset: train, indices: split.weightIndices, batchSize: hyper.batchSize,
                                         augmentation: augmentation, shuffle: true, dropLast: true, seed: seed,
                                         prefetch: max(2, workers), workers: workers)
        let validLoader = try DataLoader(dataset: train, indices: split.architectureIndices, batchSize: hyper.batchSize,
                                         augmentation: augmentation, shuffle: true, dropLast: true, seed: seed,
                                         prefetch: max(2, workers), workers: workers)
        Torch.manualSeed(seed)
        let network = try SearchNetwork(config: config)
        try network.to(device)
        try network.to(memoryFormat: memoryFormat)
        searcher = try Searcher(network: network, hyper: hyper, trainLoader: trainLoader, validLoader: validLoader,
                                parallel: parallel)
        self.parallel = parallel
        guard parallel.isMain else {
            log = nil
            if resume {
                guard directory.hasCheckpoint else {
                    throw RunError("cannot resume: rank \(parallel.rank) sees no \(checkpointURL.path); every rank reads the checkpoint, so the output folder must be shared")
                }
                try loadCheckpoint()
            }
            return
        }
        folderLock = try RunLock(directory)
        try directory.prepare(resume: resume)
        log = try RunLog(url: directory.log)
        if resume { try loadCheckpoint() } else { try AtomicFile.write(settingsJSON + "\n", to: directory.configuration) }
        tensorBoard = try TensorBoardLog(run: directory, primitives: config.primitives.map(\.rawValue), resume: resume)
    }

    /// Every setting of the search as one flat JSON object (space, schedule, seed, data), so a
    /// resume with other flags names the setting that differs.
    var settingsJSON: String {
        var merged: [String: Any] = ["seed": "\(seed)",
                                     "dataset": "\(dataset.name) \(dataset.channels)x\(dataset.height)x\(dataset.width) \(dataset.classCount) classes"]
        for part in [jsonText(config), jsonText(hyper)] {
            let object = (try? JSONSerialization.jsonObject(with: Data(part.utf8))) as? [String: Any] ?? [:]
            merged.merge(object) { a, _ in a }
        }
        let data = (try? JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes the checkpoint atomically (temporary file, then rename); rank 0 only.
    public func saveCheckpoint() throws {
        guard parallel.isMain else { return }
        try Checkpoint.save(to: checkpointURL, kind: "search", configuration: settingsJSON, epoch: searcher.epoch,
                            batch: searcher.step, dataSeed: seed, model: searcher.network, optimizers: searcher.optimizers,
                            values: searcher.loopValues)
    }

    func loadCheckpoint() throws {
        let checkpoint = try Checkpoint.load(from: checkpointURL)
        try checkpoint.checkConfiguration(settingsJSON, kind: "search")
        try checkpoint.restore(model: searcher.network, optimizers: searcher.optimizers)
        try searcher.resume(epoch: checkpoint.epoch, step: checkpoint.batch, values: checkpoint.values)
        // Epochs finished after this checkpoint was written are run again: drop their lines.
        guard parallel.isMain else { return }
        try MetricsLog.rewind(directory.metrics, keepingThrough: searcher.epoch)
    }

    /// What the search is: method, data, network, schedule and folder (the first lines of the log).
    public var header: [String] {
        let net = searcher.network
        let weights = Double(net.weightParameters().reduce(0) { $0 + $1.1.count }) / 1e6
        return [
            "search: \(config.method.rawValue) on \(dataset.name) (\(dataset.channels)x\(dataset.height)x\(dataset.width), \(dataset.classCount) classes)"
                + ", \(searcher.trainLoader.indices.count)+\(searcher.validLoader.indices.count) images (weights+architecture)",
            "network: \(config.layers) cells, \(config.initChannels) channels, \(config.steps) steps, Engine-cells \(config.engineCells)"
                + (config.featureSharing ? ", feature sharing" : "") + (config.partialChannels > 1 ? ", partial channels 1/\(config.partialChannels)" : "")
                + ", \(String(format: "%.3f", weights))M weights",
            "schedule: \(hyper.epochs) epochs (\(hyper.warmupEpochs) warm-up"
                + (hyper.warmupLoweredFrom.map { ", lowered from the preset's \($0): --epochs \(hyper.epochs) leaves no room; --warmup-epochs sets it" } ?? "")
                + "), batch \(hyper.batchSize), lr \(hyper.learningRate), "
                + "arch lr \(hyper.archLearningRate), threads \(Torch.threadCount), seed \(seed)"
                + (parallel.worldSize > 1 ? ", \(parallel.worldSize) processes" : "")
                + (parallel.chunks > 1 ? ", \(parallel.chunks) chunks per batch" : "")
                + (searcher.memoryFormat == .channelsLast ? ", channels-last" : ""),
            "output: \(output.path)" + (searcher.epoch > 0 || searcher.step > 0 ? " (resumed at epoch \(searcher.epoch + 1), step \(searcher.step))" : ""),
        ]
    }

    /// Searches until the last epoch or a stop request (`searcher.shouldStop`). After every epoch
    /// appends metrics.jsonl and log.txt and rewrites the checkpoint; on a stop saves the
    /// checkpoint; at the end writes the genotype, the diagrams and the consistency report.
    public func run() throws -> SearchOutcome {
        for line in header { try say(line) }
        let outcome = try searcher.run(observer: observer) { summary in
            try self.record(summary)
            try self.saveCheckpoint()
            if self.parallel.isMain { try HTMLReport.write(for: self.output) }
        }
        if outcome == .stopped {
            try saveCheckpoint()
            if parallel.isMain { try HTMLReport.write(for: output) }
            if let profiler = searcher.profiler, let summary = profiler.summary {
                for line in profiler.lines { try say(line) }
                try say("the search stops after its profile; checkpoint saved (the same command plus --resume, without --profile, continues it)")
                return .profiled(summary)
            }
            try say("stopped at epoch \(searcher.epoch + 1), step \(searcher.step); checkpoint saved. "
                    + "Continue with the same command plus --resume.")
            return .stopped(epoch: searcher.epoch, step: searcher.step)
        }
        let report = try searcher.consistencyReport()
        guard parallel.isMain else { return .finished(report) }
        var written = try writeResults(report: report)
        written.append(try HTMLReport.write(for: output))
        for line in searcher.profiler?.lines ?? [] { try say(line) }
        if let line = unreadableImagesLine([dataset]) { try say(line) }
        if let line = try peakGPUMemoryLine(searcher.device) { try say(line) }
        try say("final genotype: \(searcher.network.genotype.dartsText)")
        try say(report.table)
        try say("wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) in \(output.path)")
        return .finished(report)
    }

    /// Appends one epoch to metrics.jsonl and log.txt (each flushed, so a crash loses nothing).
    public func record(_ summary: SearchEpochSummary) throws {
        guard parallel.isMain else { return }
        if metrics == nil { metrics = try MetricsLog(url: directory.metrics) }
        try metrics!.append(summary)
        try tensorBoard?.append(summary)
        try log?.write(summary.text(config: config, epochs: hyper.epochs, detailed: true))
        observer?.runDidLog(summary.text(config: config, epochs: hyper.epochs, detailed: false))
    }

    /// Writes genotype.json, genotype.txt, report.json and the cell diagrams (each atomically);
    /// returns the files written, so nothing is reported that is not there.
    @discardableResult
    public func writeResults(report: ConsistencyReport?) throws -> [URL] {
        let genotype = searcher.network.genotype
        try AtomicFile.write(genotype.jsonString() + "\n", to: directory.genotypeJSON)
        try AtomicFile.write(genotype.dartsText + "\n", to: directory.genotypeText)
        var written = [directory.genotypeJSON, directory.genotypeText]
        if let report {
            try AtomicFile.write(jsonText(report) + "\n", to: directory.file("report.json"))
            written.append(directory.file("report.json"))
        }
        written += try CellDiagrams.write(genotype, to: directory.url)
        return written + [directory.metrics, directory.log, directory.checkpoint]
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Writes a line to log.txt, then shows it.
    func say(_ line: String) throws { try log?.write(line, showing: observer) }
}

func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}
