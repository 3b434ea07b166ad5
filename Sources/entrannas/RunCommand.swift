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
        `entrannas run --output DIR --resume` continues whichever part was interrupted, with the settings \
        the run stored (the search's checkpoint, training-flags.json for the training flags; flags given must agree).
        """)

    @OptionGroup var options: SearchOptions
    @OptionGroup var runtime: RuntimeOptions
    @Option(name: .customLong("train-preset"), help: ArgumentHelp("Training preset for the derived architecture: quick (default), paper or imagenet.", valueName: "train-preset"))
    var trainPresetFlag: TrainingPreset?
    @Option(name: .customLong("train-epochs"), help: "Training epochs (default 1 with the quick training preset, else the preset's).")
    var trainEpochs: Int?
    @Option(name: .customLong("train-limit"), help: "Training images, class-balanced, 0 for all (default with the quick training preset: all).")
    var trainLimit: Int?
    @Option(name: .customLong("train-layers"), help: "Cells of the trained network (default with the quick training preset: 5).")
    var trainLayers: Int?
    @Option(name: .customLong("train-channels"), help: "Initial channels of the trained network (default 16 with the quick training preset).")
    var trainChannels: Int?

    var trainPreset: TrainingPreset { trainPresetFlag ?? .quick }

    mutating func run() throws {
        try runtime.apply()
        let root = URL(fileURLWithPath: options.output ?? "runs/run-\(options.method.rawValue)-seed\(runtime.seed)")
        let started = Date()
        // A search's or a training's own folder is not a run's (search/, train/, report.md): writing
        // into it would mix the two and overwrite its report.
        if RunDirectory(url: root).holdsRun {
            throw RunError("\(root.path) holds a search's or a training's files, not a run's (search/, train/, report.md); choose another --output")
        }
        let searchFolder = RunDirectory(url: root.appendingPathComponent("search"))
        // One run per folder, from before training-flags.json is read or written to its end
        // (the search and the training lock their own folders only while they run).
        let parallel = try runtime.parallel
        let rootLock = parallel.isMain ? try RunLock(RunDirectory(url: root)) : nil
        defer { withExtendedLifetime(rootLock) {} }
        let stored = try adoptStoredRun(in: root, searchFolder: searchFolder, main: parallel.isMain)
        if !options.resume { try options.checkWithoutData() }
        let source = try DatasetSpec(name: options.dataset, path: options.data,
                                     folder: options.folder.settings(size: stored?.config.imageSize, channels: stored?.config.inputChannels))
        // One folder of classes is split before the search: both parts keep that split.
        let heldOut = try source.heldOutPortion()
        if let lost = try source.lostCut(stored?.validationPortion) { throw RunError("cannot resume: " + lost) }
        let data = try source.load()
        // The training part's settings are checked now, not after an hour of search.
        do { try trainingConfiguration(.dartsV2, data: data, heldOut: heldOut).validate() } catch {
            throw RunError("the training part: " + Self.trainingFlags(in: "\(error)", preset: trainPreset))
        }
        if let stored { try checkFlags(against: stored, data: data.train, heldOut: heldOut) }
        // Stored before the search starts anew (never over a folder that holds one), for a resume.
        if parallel.isMain && !options.resume && !searchFolder.holdsRun { try trainingFlags.write(in: root) }
        var searchOptions = options
        searchOptions.output = root.appendingPathComponent("search").path
        let search = try searchOrResume(searchOptions, data: data.train, stored: stored, heldOut: heldOut)
        let searchSeconds = Date().timeIntervalSince(started)
        let (config, result, parameters) = try trainDerived(search.genotype, data: data, heldOut: heldOut, in: root)
        guard try runtime.parallel.isMain else { return }
        let primitives = try options.spaceConfig(for: data.train, stored: stored).primitives
        let report = RunReport(
            method: options.method.rawValue, dataset: data.train.name,
            searchSettings: searchSettingsLine(searchOptions, data: data.train, stored: stored) + ", seed \(runtime.seed), \(Torch.threadCount) threads",
            genotype: search.genotype, weights: search.lastEpoch.map { RunReport.WeightsSummary($0, primitives: primitives) },
            consistency: search.report,
            training: .init(layers: config.layers, initChannels: config.initChannels, parameters: parameters, epochs: config.epochs,
                            preset: config.preset.rawValue, result: result),
            seconds: Date().timeIntervalSince(started), searchSeconds: searchSeconds)
        let markdown = try report.write(to: root)
        let html = try HTMLReport.write(for: root)
        print(report.document.markdown)
        print("wrote \(markdown.path) and \(html.path) (open it in a browser)")
    }

    /// With --resume, what the run stored fills the flags not given: its search's settings (its
    /// checkpoint: returned) and its training flags (training-flags.json). A folder with no
    /// search to continue is refused, not started as a new run with the defaults.
    private mutating func adoptStoredRun(in root: URL, searchFolder: RunDirectory, main: Bool) throws -> StoredSearch? {
        guard options.resume else { return nil }
        let stored = try options.adoptStoredSearch(in: searchFolder.url)
        guard stored != nil || (try? FinishedSearch.read(from: searchFolder)) != nil else {
            throw RunError("cannot resume: \(searchFolder.path) holds no search to continue (no search checkpoint); "
                           + "drop --resume to start the run there, with its flags")
        }
        options.output = root.path
        runtime.seedFlag = runtime.seedFlag ?? stored?.seed
        // A search stored before the held-out share was (2026-12-06 late): its training's, where its
        // checkpoint (replaced whole, never half-written) stores one.
        let training = RunDirectory(url: root.appendingPathComponent("train"))
        if options.folder.validationPortion == nil, stored?.validationPortion == nil,
           DatasetSpec.Name(spelled: options.dataset) == .folder, training.hasCheckpoint,
           let trained = try? Checkpoint.load(from: training.checkpoint).trainingConfiguration(source: training.checkpoint.path) {
            options.folder.validationPortion = trained.validationPortion
        }
        try adoptTrainingFlags(in: root, main: main)
        return stored
    }

    /// A finished search is read back, not rerun: the flags given are compared with its settings
    /// here, before the training (an unfinished one is compared as it resumes).
    private func checkFlags(against stored: StoredSearch, data: Dataset, heldOut: Double?) throws {
        let current = SearchRun.settingsJSON(config: try options.spaceConfig(for: data, stored: stored),
                                             hyper: options.hyperparameters(for: data, stored: stored),
                                             seed: runtime.seed, dataset: data, dataPath: nil, validationPortion: heldOut)
        if let difference = Checkpoint.firstDifference(saved: stored.json, current: current,
                                                       ignoring: [SearchRun.dataPathKey, SearchRun.unreadableKey]) {
            throw Checkpoint.resumeRefusal(difference)
        }
    }

    /// The search part: read back when a finished one is there (with --resume), else run or continued.
    private func searchOrResume(_ searchOptions: SearchOptions, data train: Dataset, stored: StoredSearch?,
                                heldOut: Double?) throws -> FinishedSearch {
        var searchOptions = searchOptions
        let folder = RunDirectory(path: searchOptions.output!)
        if options.resume, let done = try? FinishedSearch.read(from: folder) {
            print("search: already finished in \(folder.path)")
            return done
        }
        searchOptions.resume = options.resume && folder.hasCheckpoint
        let result = try performSearch(options: searchOptions, seed: runtime.seed, device: runtime.resolvedDevice,
                                       parallel: runtime.parallel,
                                       memoryFormat: runtime.resolvedMemoryFormat(method: options.method), train: train, stored: stored,
                                       validationPortion: heldOut, resumeCommand: "entrannas run --output \(folder.url.deletingLastPathComponent().path) --resume")
        return FinishedSearch(genotype: result.run.searcher.network.genotype, report: result.report,
                              lastEpoch: try? MetricsLog.lastRecord(SearchEpochSummary.self, in: folder.metrics))
    }

    /// Trains the derived architecture from scratch briefly (or continues that training);
    /// returns its settings, its test result and its parameters in millions.
    private func trainDerived(_ genotype: Genotype, data: DatasetPair, heldOut: Double?, in root: URL) throws -> (TrainingConfiguration, EvaluationResult, Double) {
        let trainDir = RunDirectory(url: root.appendingPathComponent("train"))
        let config = trainingConfiguration(genotype, data: data, heldOut: heldOut)
        for warning in [genotype.densityWarning, config.network.style.sizeWarning(imageSize: min(config.imageHeight, config.imageWidth),
                                                                                         remedy: "use --train-preset quick or paper")] {
            if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        }
        try config.validate()
        print("training the derived architecture: \(config.layers) cells, \(config.initChannels) channels, \(Plural.counted(config.epochs, "epoch")) -> \(trainDir.path)")
        let parallel = try runtime.parallel
        let trainer = try Trainer(configuration: config, train: data.train, test: data.test, directory: trainDir,
                                  device: runtime.resolvedDevice, parallel: parallel,
                                  workers: options.folder.workerCount(for: data.train),
                                  memoryFormat: runtime.resolvedMemoryFormat())
        if parallel.isMain { trainer.observer = ConsoleObserver() }
        StopSignal.shared.install()
        defer { StopSignal.shared.uninstall() }
        // --profile profiles the search part, which stops before this: any other end is a stop.
        guard case .finished(let result) = try trainer.run(resume: options.resume && trainDir.hasCheckpoint) else {
            print("stopped; checkpoint saved. Continue with: entrannas run --output \(root.path) --resume")
            throw ExitCode(StopSignal.exitCode)
        }
        let parameters = Double(trainer.network.summary(height: config.imageHeight, width: config.imageWidth).parameters) / 1e6
        return (config, result, parameters)
    }

    /// `train`'s flags in a training settings' error as `run` spells them (its --epochs is the
    /// search's); a setting with no flag of its own here is named as the preset's.
    static func trainingFlags(in message: String, preset: TrainingPreset) -> String {
        var text = message
        for (flag, own) in [("--epochs", "--train-epochs"), ("--limit", "--train-limit"), ("--layers", "--train-layers"),
                            ("--init-channels", "--train-channels")] {
            text = text.replacingOccurrences(of: flag + " ", with: own + " ")
        }
        return text.contains("--train-") ? text : text + " (a setting of --train-preset \(preset.rawValue))"
    }

    /// The training flags as given (with --resume: as stored where none is given).
    private var trainingFlags: RunTrainingFlags {
        RunTrainingFlags(preset: trainPreset, epochs: trainEpochs, limit: trainLimit, layers: trainLayers, channels: trainChannels)
    }

    /// With --resume, the training flags the run stored (training-flags.json) fill those not
    /// given. Before the training has a checkpoint, flags given win (a retry after a training
    /// that failed at its start) and are stored for the next resume; after, the training's own
    /// resume compares its settings with them. A run started before they were stored has none.
    private mutating func adoptTrainingFlags(in root: URL, main: Bool) throws {
        guard let stored = try RunTrainingFlags.read(in: root) else { return }
        trainPresetFlag = trainPresetFlag ?? stored.preset
        trainEpochs = trainEpochs ?? stored.epochs
        trainLimit = trainLimit ?? stored.limit
        trainLayers = trainLayers ?? stored.layers
        trainChannels = trainChannels ?? stored.channels
        if main && trainingFlags != stored && !RunDirectory(url: root.appendingPathComponent("train")).hasCheckpoint {
            try trainingFlags.write(in: root)
        }
    }

    /// The training part's settings for `genotype`: the training preset, the brief defaults of
    /// the quick one, then the --train-* flags; `heldOut`: the share one folder of classes was
    /// split by (nil for a dataset in two parts).
    private func trainingConfiguration(_ genotype: Genotype, data: DatasetPair, heldOut: Double?) -> TrainingConfiguration {
        var config = TrainingConfiguration(preset: trainPreset, genotype: genotype, genotypeName: "searched-\(options.method.rawValue)",
                                           dataset: data.train.name, dataPath: options.data ?? "",
                                           inputChannels: data.train.channels, imageHeight: data.train.height,
                                           imageWidth: data.train.width, classes: data.train.classCount, seed: runtime.seed)
        if trainPreset == .quick {
            // A brief training: the main job should finish in minutes; `entrannas train` does the rest.
            // One pass over all 60,000 Fashion-MNIST images with a 5-cell network beats several over
            // the quick preset's 4,000 images with 8 cells, in less time.
            config.epochs = 1
            config.limit = 0
            config.layers = 5
        }
        if let trainEpochs { config.epochs = trainEpochs }
        if let trainLimit { config.limit = trainLimit }
        if let trainLayers { config.layers = trainLayers }
        if let trainChannels { config.initChannels = trainChannels }
        config.validationPortion = heldOut
        config.unreadable = data.train.files?.unreadable
        return config
    }

    /// The search's settings for the report; a resume without --preset names no preset, which
    /// the stored settings do not record.
    private func searchSettingsLine(_ o: SearchOptions, data: Dataset, stored: StoredSearch?) -> String {
        let h = o.hyperparameters(for: data, stored: stored)
        return (stored != nil && o.presetFlag == nil ? "" : "\(o.preset.rawValue) preset, ")
            + "\(Plural.counted(h.epochs, "epoch")) (\(h.warmupEpochs) warm-up), batch \(h.batchSize)"
            + (h.limit.map { ", \($0) images" } ?? "")
    }
}
