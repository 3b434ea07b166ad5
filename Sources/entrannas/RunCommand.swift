import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas run`: the one-shot pipeline. Searches, trains the derived architecture from scratch
/// for a short while, and writes a report: the README's main job.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Search, then train the derived architecture briefly, and write report.md.",
        discussion: """
        Output folder layout: search/ (as `entrannas search`), train/ (as `entrannas train`) and report.md.
        Every search option applies; --train-epochs and --train-preset size the training part.
        --resume continues whichever part was interrupted.
        """)

    @OptionGroup var options: SearchOptions
    @OptionGroup var runtime: RuntimeOptions
    @Option(name: .customLong("train-preset"), help: "Training preset for the derived architecture (quick, paper or imagenet).")
    var trainPreset: TrainingPreset = .quick
    @Option(name: .customLong("train-epochs"), help: "Training epochs (default 1 with the quick training preset, else the preset's).")
    var trainEpochs: Int?
    @Option(name: .customLong("train-limit"), help: "Training images, class-balanced, 0 for all (default with the quick training preset: all).")
    var trainLimit: Int?
    @Option(name: .customLong("train-layers"), help: "Cells of the trained network (default with the quick training preset: 5).")
    var trainLayers: Int?
    @Option(name: .customLong("train-channels"), help: "Initial channels of the trained network (default 16 with the quick training preset).")
    var trainChannels: Int?

    func run() throws {
        try runtime.apply()
        let root = URL(fileURLWithPath: options.output ?? "runs/run-\(options.method.rawValue)-seed\(runtime.seed)")
        let started = Date()
        let data = try DatasetSpec(name: options.dataset, path: options.data, folder: options.folder.settings()).load()

        // 1. Search (skipped when a finished search is already there).
        var searchOptions = options
        searchOptions.output = root.appendingPathComponent("search").path
        let searchDir = RunDirectory(path: searchOptions.output!)
        let genotype: Genotype
        let report: ConsistencyReport
        let lastEpoch: SearchEpochSummary?
        if options.resume, let done = try? finishedSearch(searchDir) {
            (genotype, report) = done
            lastEpoch = try? MetricsLog.lastRecord(SearchEpochSummary.self, in: searchDir.metrics)
            print("search: already finished in \(searchDir.path)")
        } else {
            searchOptions.resume = options.resume && searchDir.hasCheckpoint
            let result = try performSearch(options: searchOptions, seed: runtime.seed, device: runtime.resolvedDevice,
                                           parallel: runtime.parallel,
                                           memoryFormat: runtime.resolvedMemoryFormat(method: options.method), train: data.train)
            genotype = result.run.searcher.network.genotype
            report = result.report
            lastEpoch = try? MetricsLog.lastRecord(SearchEpochSummary.self, in: searchDir.metrics)
        }
        let searchSeconds = Date().timeIntervalSince(started)

        // 2. Train the derived architecture from scratch.
        if let warning = genotype.densityWarning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let trainDir = RunDirectory(url: root.appendingPathComponent("train"))
        var config = TrainingConfiguration(preset: trainPreset, genotype: genotype, genotypeName: "searched-\(options.method.rawValue)",
                                           dataset: data.train.name, dataPath: options.data ?? "",
                                           inputChannels: data.train.channels, imageHeight: data.train.height,
                                           imageWidth: data.train.width, classes: data.train.classCount, seed: runtime.seed)
        // A brief training: the main job should finish in minutes; `entrannas train` does the rest.
        // One pass over all 60,000 Fashion-MNIST images with a 5-cell network beats several over
        // the quick preset's 4,000 images with 8 cells, in less time.
        if trainPreset == .quick {
            config.epochs = 1
            config.limit = 0
            config.layers = 5
        }
        if let trainEpochs { config.epochs = trainEpochs }
        if let trainLimit { config.limit = trainLimit }
        if let trainLayers { config.layers = trainLayers }
        if let trainChannels { config.initChannels = trainChannels }
        try config.validate()
        let resumeTraining = options.resume && trainDir.hasCheckpoint
        let parallel = try runtime.parallel
        let folderLock = parallel.isMain ? try RunLock(trainDir) : nil
        defer { withExtendedLifetime(folderLock) {} }
        if !resumeTraining && parallel.isMain { try trainDir.prepare(resume: false) }
        print("training the derived architecture: \(config.layers) cells, \(config.initChannels) channels, \(config.epochs) epochs -> \(trainDir.path)")
        let trainer = try Trainer(configuration: config, train: data.train, test: data.test, directory: trainDir,
                                  device: runtime.resolvedDevice, parallel: parallel,
                                  workers: options.folder.workerCount(for: data.train),
                                  memoryFormat: runtime.resolvedMemoryFormat())
        if parallel.isMain { trainer.observer = ConsoleObserver() }
        StopSignal.shared.install()
        defer { StopSignal.shared.uninstall() }
        let result: EvaluationResult
        switch try trainer.run(resume: resumeTraining) {
        case .finished(let r): result = r
        case .stopped, .profiled:  // --profile profiles the search part, which stops before this
            print("stopped; checkpoint saved. Continue with the same command plus --resume.")
            throw ExitCode(StopSignal.exitCode)
        }

        // 3. Report (rank 0 writes it).
        guard parallel.isMain else { return }
        let params = Double(trainer.network.summary(height: config.imageHeight, width: config.imageWidth).parameters) / 1e6
        let text = """
        # entrannas run: \(options.method.rawValue) on \(data.train.name)

        ## Search
        - settings: \(searchSettingsLine(searchOptions, data: data.train)), seed \(runtime.seed), \(Torch.threadCount) threads
        - genotype: `\(genotype.dartsText)`
        - skip connections in the normal cell: \(genotype.normal.joined().filter { $0.op == .skipConnect }.count)

        ## Architecture weights at the end of the search
        \(weightsSection(lastEpoch, primitives: try options.spaceConfig(for: data.train).primitives))

        ## Consistency (validation split, end of search)
        | network | accuracy | loss |
        |---|---:|---:|
        | super-net | \(String(format: "%.2f%%", 100 * report.superNetAccuracy)) | \(String(format: "%.4f", report.superNetLoss)) |
        | derived net, inherited weights | \(String(format: "%.2f%%", 100 * report.derivedAccuracy)) | \(String(format: "%.4f", report.derivedLoss)) |

        ## Derived architecture trained from scratch
        - \(config.layers) cells, \(config.initChannels) channels, \(String(format: "%.3f", params))M parameters (auxiliary head excluded), \(config.epochs) epochs (\(trainPreset.rawValue) preset)
        - test accuracy: top-1 \(String(format: "%.2f%%", result.top1)), top-5 \(String(format: "%.2f%%", result.top5)) on \(result.count) images

        Total time \(ProgressBar.formatDuration(Date().timeIntervalSince(started))) (search \(ProgressBar.formatDuration(searchSeconds))).
        Files: search/ (genotype.json, genotype.txt, metrics.jsonl, log.txt, report.json, normal.svg, reduce.svg), train/ (model.safetensors, metrics.jsonl, log.txt, normal.svg, reduce.svg).

        """
        let reportURL = root.appendingPathComponent("report.md")
        try AtomicFile.write(text, to: reportURL)
        let html = try HTMLReport.write(for: root)
        print(text)
        print("wrote \(reportURL.path) and \(html.path) (open it in a browser)")
    }

    /// Separation per cell type against the uniform weights, DST pruning, and the strongest op per edge.
    private func weightsSection(_ s: SearchEpochSummary?, primitives: [Primitive]) -> String {
        guard let s else { return "(metrics.jsonl has no epoch)" }
        let k = Double(s.normalWeights.first?.count ?? primitives.count)
        var lines = ["| cell | mean largest op weight | mean entropy (nats) | pruned candidates | mean in-degree |",
                     "|---|---:|---:|---:|---:|"]
        for (name, a) in [("normal", s.normalStatistics), ("reduce", s.reduceStatistics)] {
            lines.append(String(format: "| %@ | %.3f | %.3f | %@ | %.2f |", name, a.meanMaxWeight, a.meanEntropy,
                                a.prunedFraction.map { String(format: "%.0f%%", 100 * $0) } ?? "-", a.meanInDegree))
        }
        lines.append(String(format: "| uniform weights | %.3f | %.3f | | |", 1 / k, Foundation.log(k)))
        lines += ["", "Strongest op per edge (normal): " + strongestOps(s.normalWeights, primitives: primitives),
                  "", "Strongest op per edge (reduce): " + strongestOps(s.reduceWeights, primitives: primitives)]
        return lines.joined(separator: "\n")
    }

    private func finishedSearch(_ dir: RunDirectory) throws -> (Genotype, ConsistencyReport)? {
        let reportURL = dir.file("report.json")
        guard FileManager.default.fileExists(atPath: reportURL.path) else { return nil }
        let genotype = try Genotype(json: String(contentsOf: dir.genotypeJSON, encoding: .utf8))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(ConsistencyReport.self, from: Data(contentsOf: reportURL))
        return (genotype, report)
    }

    private func searchSettingsLine(_ o: SearchOptions, data: Dataset) -> String {
        let h = o.hyperparameters
        return "\(o.preset.rawValue) preset, \(h.epochs) epochs (\(h.warmupEpochs) warm-up), batch \(h.batchSize)"
            + (h.limit.map { ", \($0) images" } ?? "")
    }
}
