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
/// The loop, its folder, resume, stop and checkpoint are `RunLoop`'s, as for a training; the
/// search supplies its step (`Searcher`) and its epoch's record. A write that fails (disk full,
/// permission) throws and ends the run; the checkpoint is replaced atomically, so the last good
/// one stays. In a data-parallel run every rank computes and only rank 0 writes; every rank
/// resumes from the same checkpoint.
public final class SearchRun: RunJob {
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
    /// The processes the batches are spread over.
    public let parallel: DataParallel
    /// The command that continues this search, for the stop message (the `search` and `run`
    /// commands set theirs); nil: "the same command plus --resume".
    public var resumeCommand: String?
    /// The dataset folder the search was given (`--data`), stored with the settings so that a
    /// resume finds it; a resume may give another (a moved folder), as `resumableDifferences` says.
    public var dataPath: String?
    /// The share of every class held out from the search's images where one folder of classes
    /// was split first (`run` does, `search` uses every image): stored and compared on resume,
    /// so that a resume without `--val-portion` searches the same images.
    public var validationPortion: Double?
    /// The epoch loop: folder, resume, stop, checkpoint, metrics and log.txt.
    public private(set) var loop: RunLoop<SearchRun>!

    /// The output folder's URL.
    public var output: URL { directory.url }
    /// `checkpoint.safetensors` in the output folder.
    public var checkpointURL: URL { directory.checkpoint }

    /// Builds the data split, the network and the search loop; nothing is written before `run`.
    /// `workers` threads prepare the batches (decoding an image folder's files is worth several);
    /// `memoryFormat` lays out the weights and batches (channels-last is faster on CPUs for most
    /// methods: docs/performance.md#cpu-layouts). `stop` is polled after every step.
    public init(config: SearchSpaceConfig, hyper: SearchHyperparameters, train: Dataset, seed: UInt64, output: URL,
                device: Device = .cpu, parallel: DataParallel = .single, workers: Int = 1,
                memoryFormat: MemoryFormat = .contiguous, stop: StopSignal = .shared) throws {
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
        loop = RunLoop(job: self, directory: directory, parallel: parallel, stop: stop)
    }

    /// Every setting of the search as one flat JSON object (space, schedule, seed, data), so a
    /// resume with other flags names the setting that differs.
    public var settingsJSON: String {
        Self.settingsJSON(config: config, hyper: hyper, seed: seed, dataset: dataset, dataPath: dataPath,
                          validationPortion: validationPortion)
    }

    /// The settings JSON of a search with these settings, without building it: `run --resume`
    /// compares a finished search's with the flags given.
    public static func settingsJSON(config: SearchSpaceConfig, hyper: SearchHyperparameters, seed: UInt64, dataset: Dataset,
                                    dataPath: String?, validationPortion: Double? = nil) -> String {
        var merged: [String: Any] = ["seed": "\(seed)",
                                     "dataset": "\(dataset.name) \(dataset.channels)x\(dataset.height)x\(dataset.width) \(dataset.classCount) classes"]
        if let dataPath, !dataPath.isEmpty { merged[dataPathKey] = dataPath }
        if let validationPortion { merged[validationPortionKey] = validationPortion }
        if let policy = dataset.files?.unreadable { merged[unreadableKey] = policy.rawValue }
        for part in [jsonText(config), jsonText(hyper)] {
            let object = (try? JSONSerialization.jsonObject(with: Data(part.utf8))) as? [String: Any] ?? [:]
            merged.merge(object) { a, _ in a }
        }
        let data = (try? JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// What the search is: method, data, network, schedule and folder (the first lines of the log).
    public func header(resumedAt: (epoch: Int, batch: Int)?) -> [String] {
        let net = searcher.network
        let weights = Double(net.weightParameters().reduce(0) { $0 + $1.1.count }) / 1e6
        return [
            "search: \(config.method.rawValue) on \(dataset.name) (\(dataset.channels)x\(dataset.height)x\(dataset.width), \(dataset.classCount) classes)"
                + ", \(searcher.trainLoader.indices.count)+\(searcher.validLoader.indices.count) images (weights+architecture)",
            "network: \(config.layers) cells, \(config.initChannels) channels, \(config.steps) steps, Engine-cells \(config.engineCells)"
                + (config.featureSharing ? ", feature sharing" : "") + (config.partialChannels > 1 ? ", partial channels 1/\(config.partialChannels)" : "")
                + ", \(String(format: "%.3f", weights))M weights",
            "schedule: \(Plural.counted(hyper.epochs, "epoch")) (\(hyper.warmupEpochs) warm-up"
                + (hyper.warmupLoweredFrom.map { ", lowered from the preset's \($0): --epochs \(hyper.epochs) leaves no room; --warmup-epochs sets it" } ?? "")
                + "), batch \(hyper.batchSize), lr \(hyper.learningRate), "
                + "arch lr \(hyper.archLearningRate), threads \(Torch.threadCount), seed \(seed)"
                + (parallel.worldSize > 1 ? ", \(parallel.worldSize) processes" : "")
                + (parallel.chunks > 1 ? ", \(parallel.chunks) chunks per batch" : "")
                + (searcher.memoryFormat == .channelsLast ? ", channels-last" : ""),
            "output: \(output.path)" + (resumedAt.map { " (resumed at epoch \($0.epoch + 1), step \($0.batch))" } ?? ""),
        ]
    }

    /// Searches from the start, or with `resume` from the checkpoint in the output folder (which
    /// must have been written with the same settings), until the last epoch or a stop request.
    /// At the end writes the genotype, the diagrams and the consistency report.
    public func run(resume: Bool = false) throws -> SearchOutcome {
        switch try loop.run(resume: resume, primitives: config.primitives.map(\.rawValue)) {
        case .profiled:
            try say("the search stops after its profile; checkpoint saved ("
                    + (resumeCommand.map { "`\($0)` continues it" } ?? "the same command plus --resume, without --profile, continues it") + ")")
            return .profiled(profiler!.summary!)
        case .stopped(let epoch, let step):
            try say("stopped at epoch \(epoch + 1), step \(step); checkpoint saved. Continue with "
                    + (resumeCommand.map { "\($0)." } ?? "the same command plus --resume."))
            return .stopped(epoch: epoch, step: step)
        case .finished:
            break
        }
        // The last epoch's temperature, also when a resume found every epoch done.
        searcher.network.temperature = config.temperature(epoch: hyper.epochs - 1, of: hyper.epochs)
        let report = try searcher.consistencyReport(diagnostics: true)
        guard parallel.isMain else { return .finished(report) }
        var written = try writeResults(report: report)
        written.append(try HTMLReport.write(for: output))
        if let line = unreadableImagesLine([dataset]) { try say(line) }
        if let line = try peakGPUMemoryLine(searcher.device) { try say(line) }
        try say("final genotype: \(searcher.network.genotype.dartsText)")
        try say(report.table)
        try say("wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) in \(output.path)")
        return .finished(report)
    }

    // MARK: RunJob

    public var kind: String { "search" }
    /// The data folder may move between sessions; a checkpoint written before it was stored lacks
    /// it. An image folder's unreadable-image policy changes no weight until a file fails.
    public var resumableDifferences: Set<String> { [Self.dataPathKey, Self.unreadableKey] }
    /// The key of `dataPath` in the settings.
    public static let dataPathKey = "data_path"
    /// The key of `validationPortion` in the settings.
    public static let validationPortionKey = "val_portion"
    /// The key of an image folder's `UnreadableImagePolicy` in the settings.
    public static let unreadableKey = "unreadable"
    public var dataSeed: UInt64 { seed }
    public var epochs: Int { hyper.epochs }
    public var trainLoader: DataLoader { searcher.trainLoader }
    public var model: Module { searcher.network }
    public var memoryFormat: MemoryFormat { searcher.memoryFormat }
    /// Both optimizers, named as the checkpoint stores them.
    public var optimizers: [(name: String, optimizer: any Optimizer)] { [("sgd", searcher.optimizer), ("adam", searcher.architect.optimizer)] }
    public var device: Device { searcher.device }
    public var progressSpan: ProgressSpan { .run }
    public var state: Searcher.State { searcher.state }

    public func resume(epoch: Int, batch: Int, state: Searcher.State?, legacy: [String: String]) throws {
        // The derived cells (rederived here) depend on tau: DST's thresholds and the top-2 edge ranking.
        searcher.network.temperature = config.temperature(epoch: min(epoch, hyper.epochs - 1), of: hyper.epochs)
        try searcher.resume(state: state, legacy: legacy, stepsDone: epoch * searcher.trainLoader.batchCount + batch)
    }

    public func epochWillStart(_ epoch: Int, batch: Int) throws { try searcher.epochWillStart(epoch, batch: batch) }

    public func step(_ batch: HostBatch, epoch: Int) throws -> StepTotals { try searcher.step(batch, epoch: epoch) }

    public func finishEpoch(_ epoch: Int, totals: EpochTotals, stop: StopSignal,
                            observer: RunObserver?) throws -> EpochRecordLines<SearchEpochSummary>? {
        let summary = try searcher.finishEpoch(epoch, totals: totals)
        return EpochRecordLines(record: summary, logged: summary.text(config: config, epochs: hyper.epochs, detailed: true),
                                shown: summary.text(config: config, epochs: hyper.epochs, detailed: false))
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
}

func jsonText<T: Encodable>(_ value: T) -> String { (try? JSONFormat.text(value)) ?? "{}" }
