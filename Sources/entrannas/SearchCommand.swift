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
        Writes genotype.json, genotype.txt (DARTS form), metrics.jsonl, search.log, report.json and
        checkpoint.safetensors (each epoch) to --output. Ctrl-C saves and stops; --resume continues.
        """)

    @OptionGroup var options: SearchOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        _ = try performSearch(options: options, seed: runtime.seed)
    }
}

/// Runs a search end to end with progress output; shared by `search` and `run`.
/// Returns nil when the user stopped it (after saving).
func performSearch(options: SearchOptions, seed: UInt64) throws -> (run: SearchRun, report: ConsistencyReport)? {
    let train = try options.loadTrainingSet()
    let config = try options.spaceConfig(for: train)
    let hyper = options.hyperparameters
    let output = options.outputFolder(seed: seed)
    let run = try SearchRun(config: config, hyper: hyper, train: train, seed: seed, output: output, resume: options.resume)
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
    for line in header {
        print(line)
        run.log(line)
    }
    let reporter = SearchReporter(run: run)
    let stop = StopRequest.install()
    run.searcher.shouldStop = { stop.requested }
    let outcome = try run.searcher.run(observer: reporter)
    reporter.finishLine()
    if outcome == .stopped {
        try run.saveCheckpoint()
        let msg = "stopped at epoch \(run.searcher.epoch + 1), step \(run.searcher.step); checkpoint saved. Continue with the same command plus --resume."
        print(msg)
        run.log(msg)
        throw ExitCode(130)
    }
    let report = try run.searcher.consistencyReport()
    try run.writeResults(report: report)
    let lines = ["final genotype: \(net.genotype.dartsText)", report.table,
                 "wrote \(output.appendingPathComponent("genotype.txt").path) and genotype.json, report.json, metrics.jsonl"]
    for line in lines {
        print(line)
        run.log(line)
    }
    return (run, report)
}

/// Draws the progress bar and writes per-epoch lines, metrics and checkpoints.
final class SearchReporter: SearchObserver {
    let run: SearchRun
    let bar = ProgressLine()
    init(run: SearchRun) { self.run = run }

    func searchWillStart(epochs: Int, stepsPerEpoch: Int, resumedAt: (epoch: Int, step: Int)) {
        bar.start(total: epochs * stepsPerEpoch, done: resumedAt.epoch * stepsPerEpoch + resumedAt.step)
    }

    func stepDidFinish(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {
        bar.update(done: epoch * stepsPerEpoch + step,
                   label: "epoch \(epoch + 1)/\(run.hyper.epochs)", metrics: String(format: "loss %.3f acc %.1f%%", loss, 100 * accuracy))
    }

    func epochDidFinish(_ s: SearchEpochSummary) {
        bar.clear()
        var line = String(format: "epoch %d/%d lr %.4g train loss %.4f acc %.2f%% | valid loss %.4f acc %.2f%% | skip %d | %.1fs%@",
                          s.epoch, run.hyper.epochs, s.learningRate, s.trainLoss, 100 * s.trainAccuracy, s.validLoss,
                          100 * s.validAccuracy, s.skipConnections, s.seconds, s.architectureUpdated ? "" : " (warm-up)")
        line += "\n  genotype: \(s.genotype)"
        line += "\n  alphas normal (softmax, rows = edges, cols = \(run.config.primitives.map(\.rawValue).joined(separator: " "))):\n"
            + formatMatrix(s.normalWeights)
        line += "\n  alphas reduce:\n" + formatMatrix(s.reduceWeights)
        if let t = s.thresholds {
            line += "\n  thresholds t_j: normal \(t["normal"]!.map { String(format: "%.3f", $0) }) reduce \(t["reduce"]!.map { String(format: "%.3f", $0) })"
        }
        print(line)
        do {
            try run.saveCheckpoint()
            try run.record(s, logLine: line)
        } catch {
            print("warning: \(error)")
        }
    }

    func finishLine() { bar.clear() }

    private func formatMatrix(_ m: [[Float]]) -> String {
        m.map { "    " + $0.map { String(format: "%.3f", $0) }.joined(separator: " ") }.joined(separator: "\n")
    }
}
