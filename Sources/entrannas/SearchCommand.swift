import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas search`: run an architecture search and write its genotype and report.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a cell architecture (EnTranNAS, EnTranNAS-DST, DARTS 1st/2nd order, PC-DARTS).",
        discussion: """
        Writes genotype.json, genotype.txt (DARTS form), metrics.jsonl, log.txt, report.json and \
        checkpoint.safetensors (each epoch) to --output. Ctrl-C saves and stops; the same command \
        with --resume continues.

        Examples:
          entrannas search --preset quick
          entrannas search --method entrannas-dst --preset quick --output runs/dst
          entrannas search --method darts --dataset cifar10 --data DIR
        """)

    @OptionGroup var options: SearchOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        _ = try performSearch(options: options, seed: runtime.seed, train: options.loadTrainingSet())
    }
}

/// Runs a search end to end with progress output; shared by `search` and `run`.
/// Returns nil when the user stopped it (after saving).
func performSearch(options: SearchOptions, seed: UInt64, train: Dataset) throws -> (run: SearchRun, report: ConsistencyReport)? {
    for warning in options.ineffectiveFlagWarnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
    let config = try options.spaceConfig(for: train)
    let hyper = options.hyperparameters
    let output = options.outputFolder(seed: seed)
    let run = try SearchRun(config: config, hyper: hyper, train: train, seed: seed, output: output, resume: options.resume,
                            echo: true)
    let net = run.searcher.network
    let header = [
        "search: \(config.method.rawValue) on \(train.name) (\(train.channels)x\(train.height)x\(train.width), \(train.classCount) classes)"
            + ", \(run.searcher.trainLoader.indices.count)+\(run.searcher.validLoader.indices.count) images (weights+architecture)",
        "network: \(config.layers) cells, \(config.initChannels) channels, \(config.steps) steps, Engine-cells \(config.engineCells)"
            + (config.featureSharing ? ", feature sharing" : "") + (config.partialChannels > 1 ? ", partial channels 1/\(config.partialChannels)" : "")
            + ", \(String(format: "%.3f", Double(net.weightParameters().reduce(0) { $0 + $1.1.count }) / 1e6))M weights",
        "schedule: \(hyper.epochs) epochs (\(hyper.warmupEpochs) warm-up), batch \(hyper.batchSize), lr \(hyper.learningRate), arch lr \(hyper.archLearningRate), threads \(Torch.threadCount), seed \(seed)",
        "output: \(output.path)" + (options.resume ? " (resumed at epoch \(run.searcher.epoch + 1), step \(run.searcher.step))" : ""),
    ]
    for line in header { run.log.print(line) }
    let reporter = SearchReporter(run: run)
    StopSignal.shared.install()
    defer { StopSignal.shared.uninstall() }
    run.searcher.shouldStop = { StopSignal.shared.isRequested }
    let outcome = try run.searcher.run(observer: reporter)
    reporter.bar?.finish()
    if outcome == .stopped {
        try run.saveCheckpoint()
        let msg = "stopped at epoch \(run.searcher.epoch + 1), step \(run.searcher.step); checkpoint saved. Continue with the same command plus --resume."
        run.log.print(msg)
        throw ExitCode(StopSignal.exitCode)
    }
    let report = try run.searcher.consistencyReport()
    try run.writeResults(report: report)
    let lines = ["final genotype: \(net.genotype.dartsText)", report.table,
                 "wrote \(output.appendingPathComponent("genotype.txt").path) and genotype.json, report.json, metrics.jsonl"]
    for line in lines { run.log.print(line) }
    return (run, report)
}

/// "e0 sep_conv_3x3 0.21, e1 ...": the strongest op of every edge of a weight matrix.
func strongestOps(_ m: [[Float]], primitives: [Primitive]) -> String {
    m.enumerated().map { e, row in
        let k = row.indices.max { row[$0] < row[$1] } ?? 0
        return "e\(e) \(k < primitives.count ? primitives[k].rawValue : "?") \(String(format: "%.2f", row[k]))"
    }.joined(separator: ", ")
}

/// Draws the progress bar and writes per-epoch lines, metrics and checkpoints. The terminal
/// gets a compact line per epoch; search.log and metrics.jsonl also hold every alpha.
final class SearchReporter: SearchObserver {
    let run: SearchRun
    var bar: ProgressBar?
    init(run: SearchRun) { self.run = run }

    func searchWillStart(epochs: Int, stepsPerEpoch: Int, resumedAt: (epoch: Int, step: Int)) {
        bar = ProgressBar(label: "search", total: epochs * stepsPerEpoch, unit: "step",
                          initial: resumedAt.epoch * stepsPerEpoch + resumedAt.step)
    }

    func stepDidFinish(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {
        bar?.update(done: epoch * stepsPerEpoch + step,
                    metrics: [("epoch", "\(epoch + 1)/\(run.hyper.epochs)"), ("loss", String(format: "%.3f", loss)),
                              ("acc", String(format: "%.1f%%", 100 * accuracy))])
    }

    func epochDidFinish(_ s: SearchEpochSummary) {
        bar?.finish()
        var line = String(format: "epoch %d/%d lr %.4g | train loss %.4f acc %.2f%% | valid loss %.4f acc %.2f%% | skip %d | %.1fs%@",
                          s.epoch, run.hyper.epochs, s.learningRate, s.trainLoss, 100 * s.trainAccuracy, s.validLoss,
                          100 * s.validAccuracy, s.skipConnections, s.seconds, s.architectureUpdated ? "" : " (warm-up)")
        line += "\n  separation: " + separation("normal", s.normalStatistics) + "; " + separation("reduce", s.reduceStatistics)
            + " (uniform: max \(String(format: "%.3f", 1 / Double(run.config.primitives.count))), H \(String(format: "%.2f", Foundation.log(Double(run.config.primitives.count)))))"
        if let z = s.zeroGradientNodes { line += String(format: "; nodes with zero arch gradient %.1f of %d", z, 2 * run.config.steps) }
        line += "\n  genotype: \(s.genotype)"
        line += "\n  strongest op per edge (normal): " + strongest(s.normalWeights)
        line += "\n  strongest op per edge (reduce): " + strongest(s.reduceWeights)
        if let t = s.thresholds {
            line += "\n  thresholds t_j: normal \(t["normal"]!.map { String(format: "%.3f", $0) }) reduce \(t["reduce"]!.map { String(format: "%.3f", $0) })"
        }
        print(line)
        let full = line + "\n  alphas normal (rows = edges, columns = \(run.config.primitives.map(\.rawValue).joined(separator: " "))):\n"
            + matrix(s.normalWeights) + "\n  alphas reduce:\n" + matrix(s.reduceWeights)
        do {
            try run.saveCheckpoint()
            try run.record(s, logLine: full)
        } catch {
            print("warning: \(error)")
        }
    }

    /// "normal max .412 H 1.63 [pruned 55% in-degree 3.2]": separation and DST sparsity of one cell type.
    private func separation(_ name: String, _ a: ArchitectureStatistics) -> String {
        var text = String(format: "%@ max %.3f H %.2f", name, a.meanMaxWeight, a.meanEntropy)
        if let pruned = a.prunedFraction { text += String(format: " pruned %.0f%% in-degree %.2f", 100 * pruned, a.meanInDegree) }
        return text
    }

    /// "e0 sep_conv_3x3 .21, e1 ..." : the weight matrices at a glance.
    private func strongest(_ m: [[Float]]) -> String { strongestOps(m, primitives: run.config.primitives) }

    private func matrix(_ m: [[Float]]) -> String {
        m.map { "    " + $0.map { String(format: "%.3f", $0) }.joined(separator: " ") }.joined(separator: "\n")
    }
}
