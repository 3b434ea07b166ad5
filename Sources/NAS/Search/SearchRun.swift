import Datasets
import Foundation
import Torch

/// A complete search as the `search` and `run` commands perform it: data split, network,
/// search loop, per-epoch checkpoint and metrics, and the final genotype and consistency report
/// in an output folder:
///
///     genotype.json  genotype.txt  metrics.jsonl  search.log  checkpoint.safetensors  report.json
public final class SearchRun {
    public let config: SearchSpaceConfig
    public let hyper: SearchHyperparameters
    public let seed: UInt64
    public let output: URL
    public let searcher: Searcher
    public let dataset: Dataset

    public var checkpointURL: URL { output.appendingPathComponent("checkpoint.safetensors") }
    public var metricsURL: URL { output.appendingPathComponent("metrics.jsonl") }
    public var logURL: URL { output.appendingPathComponent("search.log") }

    /// Builds everything; with `resume`, continues from the checkpoint in `output`, which must
    /// have been written with the same settings.
    public init(config: SearchSpaceConfig, hyper: SearchHyperparameters, train: Dataset, seed: UInt64, output: URL,
                resume: Bool) throws {
        try config.validate()
        try hyper.validate()
        self.config = config
        self.hyper = hyper
        self.seed = seed
        self.output = output
        dataset = train
        let split = try SearchSplit(dataset: train, trainPortion: hyper.trainPortion, limit: hyper.limit, seed: seed)
        let augmentation = SearchRun.searchAugmentation(train)
        let trainLoader = try DataLoader(dataset: train, indices: split.weightIndices, batchSize: hyper.batchSize,
                                         augmentation: augmentation, shuffle: true, dropLast: true, seed: seed)
        let validLoader = try DataLoader(dataset: train, indices: split.architectureIndices, batchSize: hyper.batchSize,
                                         augmentation: augmentation, shuffle: true, dropLast: true, seed: seed &+ 1)
        Torch.manualSeed(seed)
        let network = try SearchNetwork(config: config)
        searcher = try Searcher(network: network, hyper: hyper, trainLoader: trainLoader, validLoader: validLoader)
        let fm = FileManager.default
        if resume {
            guard fm.fileExists(atPath: checkpointURL.path) else {
                throw SearchConfigError(message: "nothing to resume: \(checkpointURL.path) does not exist (run without --resume to start)")
            }
            try loadCheckpoint()
        } else {
            if fm.fileExists(atPath: checkpointURL.path) {
                throw SearchConfigError(message: "\(output.path) already holds a search: pass --resume to continue it, or choose another --output")
            }
            try fm.createDirectory(at: output, withIntermediateDirectories: true)
            try? fm.removeItem(at: metricsURL)
            try? fm.removeItem(at: logURL)
        }
    }

    /// DARTS searches with crop (and flip for CIFAR), without cutout.
    static func searchAugmentation(_ d: Dataset) -> Augmentation {
        d.channels == 3 ? Augmentation(cropPadding: 4, horizontalFlip: true) : Augmentation(cropPadding: 2, horizontalFlip: false)
    }

    var settingsMetadata: [String: String] {
        ["format": "entrannas-search-1", "config": jsonText(config), "hyper": jsonText(hyper), "seed": "\(seed)",
         "dataset": "\(dataset.name) \(dataset.channels)x\(dataset.height)x\(dataset.width) \(dataset.classCount) classes"]
    }

    /// Writes the checkpoint atomically (temporary file, then rename).
    public func saveCheckpoint() throws {
        let (tensors, position) = searcher.state()
        try Safetensors.save(tensors, metadata: settingsMetadata.merging(position) { a, _ in a }, to: checkpointURL)
    }

    func loadCheckpoint() throws {
        let file = try Safetensors.load(from: checkpointURL)
        let meta = file.metadata
        guard meta["format"] == "entrannas-search-1" else {
            throw SearchConfigError(message: "\(checkpointURL.path) is not an entrannas search checkpoint")
        }
        for (key, mine) in settingsMetadata where key != "format" {
            guard let theirs = meta[key] else { continue }
            if theirs != mine {
                throw SearchConfigError(message: "cannot resume: the checkpoint was made with other settings (\(key): \(firstDifference(theirs, mine))); use the same flags, or a new --output")
            }
        }
        try searcher.restore(tensors: file.tensors, position: meta)
        // Epochs finished after this checkpoint was written are run again: drop their lines.
        if let text = try? String(contentsOf: metricsURL, encoding: .utf8) {
            let kept = text.split(separator: "\n").filter { line in
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let e = obj["epoch"] as? Int else { return false }
                return e <= searcher.epoch
            }
            try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: metricsURL)
        }
    }

    /// Appends one epoch to metrics.jsonl and the log (flushed, so a crash loses nothing).
    public func record(_ summary: SearchEpochSummary, logLine: String) throws {
        try appendLine(jsonText(summary), to: metricsURL)
        try appendLine(logLine, to: logURL)
    }

    public func log(_ line: String) { try? appendLine(line, to: logURL) }

    /// Writes genotype.json, genotype.txt and report.json (each atomically).
    public func writeResults(report: ConsistencyReport?) throws {
        let genotype = searcher.network.genotype
        try AtomicFile.write(genotype.jsonString() + "\n", to: output.appendingPathComponent("genotype.json"))
        try AtomicFile.write(genotype.dartsText + "\n", to: output.appendingPathComponent("genotype.txt"))
        if let report { try AtomicFile.write(jsonText(report) + "\n", to: output.appendingPathComponent("report.json")) }
    }
}

func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}

func appendLine(_ line: String, to url: URL) throws {
    let data = Data((line + "\n").utf8)
    if !FileManager.default.fileExists(atPath: url.path) {
        guard FileManager.default.createFile(atPath: url.path, contents: data) else {
            throw SearchConfigError(message: "cannot write \(url.path)")
        }
        return
    }
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: data)
}

/// The first differing JSON field of two settings strings, for a resume error.
func firstDifference(_ a: String, _ b: String) -> String {
    guard let da = try? JSONSerialization.jsonObject(with: Data(a.utf8)) as? [String: Any],
          let db = try? JSONSerialization.jsonObject(with: Data(b.utf8)) as? [String: Any] else {
        return "checkpoint '\(a)' vs now '\(b)'"
    }
    for key in Set(da.keys).union(db.keys).sorted() {
        let x = da[key].map { "\($0)" } ?? "unset", y = db[key].map { "\($0)" } ?? "unset"
        if x != y { return "\(key) was \(x), now \(y)" }
    }
    return "checkpoint '\(a)' vs now '\(b)'"
}
