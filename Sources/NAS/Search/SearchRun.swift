import Datasets
import Foundation
import Torch

/// A complete search as the `search` and `run` commands perform it: data split, network,
/// search loop, per-epoch checkpoint and metrics, and the final genotype and consistency report
/// in an output folder:
///
///     genotype.json  genotype.txt  metrics.jsonl  log.txt  checkpoint.safetensors  report.json
///     normal.dot/.svg/.png  reduce.dot/.svg/.png (the cells drawn; SVG and PNG need Graphviz)
public final class SearchRun {
    public let config: SearchSpaceConfig
    public let hyper: SearchHyperparameters
    public let seed: UInt64
    public let directory: RunDirectory
    public let searcher: Searcher
    public let dataset: Dataset
    /// The per-epoch lines, mirrored into log.txt (stdout only when `echo` is set).
    public let log: RunLog
    private var metrics: MetricsLog?

    public var output: URL { directory.url }
    public var checkpointURL: URL { directory.checkpoint }

    /// Builds everything; with `resume`, continues from the checkpoint in `output`, which must
    /// have been written with the same settings.
    public init(config: SearchSpaceConfig, hyper: SearchHyperparameters, train: Dataset, seed: UInt64, output: URL,
                resume: Bool, echo: Bool = false) throws {
        try config.validate()
        try hyper.validate()
        self.config = config
        self.hyper = hyper
        self.seed = seed
        directory = RunDirectory(url: output)
        dataset = train
        let split = try SearchSplit(dataset: train, trainPortion: hyper.trainPortion, limit: hyper.limit, seed: seed)
        // DARTS searches with crop (and flip for CIFAR), without cutout.
        let augmentation = train.channels == 3 ? Augmentation(cropPadding: 4, horizontalFlip: true)
            : Augmentation(cropPadding: 2, horizontalFlip: false)
        let trainLoader = try DataLoader(dataset: train, indices: split.weightIndices, batchSize: hyper.batchSize,
                                         augmentation: augmentation, shuffle: true, dropLast: true, seed: seed)
        let validLoader = try DataLoader(dataset: train, indices: split.architectureIndices, batchSize: hyper.batchSize,
                                         augmentation: augmentation, shuffle: true, dropLast: true, seed: seed)
        Torch.manualSeed(seed)
        let network = try SearchNetwork(config: config)
        searcher = try Searcher(network: network, hyper: hyper, trainLoader: trainLoader, validLoader: validLoader)
        try directory.prepare(resume: resume)
        log = try RunLog(url: directory.log, echo: echo)
        if resume { try loadCheckpoint() }
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

    /// Writes the checkpoint atomically (temporary file, then rename).
    public func saveCheckpoint() throws {
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
        try MetricsLog.rewind(directory.metrics, keepingThrough: searcher.epoch)
    }

    /// Appends one epoch to metrics.jsonl and the log (flushed, so a crash loses nothing).
    public func record(_ summary: SearchEpochSummary, logLine: String) throws {
        if metrics == nil { metrics = try MetricsLog(url: directory.metrics) }
        try metrics!.append(summary)
        log.write(logLine)
    }

    /// Writes genotype.json, genotype.txt, report.json and the cell diagrams (each atomically).
    public func writeResults(report: ConsistencyReport?) throws {
        let genotype = searcher.network.genotype
        try AtomicFile.write(genotype.jsonString() + "\n", to: directory.genotypeJSON)
        try AtomicFile.write(genotype.dartsText + "\n", to: directory.genotypeText)
        try CellDiagrams.write(genotype, to: directory.url)
        if let report { try AtomicFile.write(jsonText(report) + "\n", to: directory.file("report.json")) }
    }
}

func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}
