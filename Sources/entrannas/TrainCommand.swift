import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas train`: train a genotype from scratch by the DARTS evaluation protocol.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a genotype from scratch (DARTS evaluation protocol) and report its test accuracy.",
        discussion: """
        Writes config.json, log.txt, metrics.jsonl (one line per epoch) and checkpoint.safetensors (every epoch) to --output, and at the end model.safetensors with genotype.json and genotype.txt beside it. Ctrl-C finishes the current step, saves a checkpoint and stops; continue with --output DIR --resume.

        Examples:
          entrannas train --genotype DARTS_V2 --preset quick
          entrannas train --genotype my/genotype.json --epochs 50
          entrannas train --genotype DARTS_V2 --dataset cifar10 --data DIR
          entrannas train --output runs/my-run --resume
        """)

    @Option(help: "The architecture: a built-in name (\(Genotype.builtinNames.joined(separator: ", "))), a genotype.json or genotype.txt file, or DARTS genotype text.")
    var genotype: String?
    @Option(help: "quick (minutes on a CPU with Fashion-MNIST), paper (DARTS' 600-epoch CIFAR-10 protocol) or imagenet (DARTS' ImageNet mobile protocol: 14 cells, 48 channels, ImageNet stems, 224-pixel images).")
    var preset: TrainingPreset = .paper
    @Option(help: "fashion-mnist (default, Debian package), mnist, cifar10, cifar100, or folder (your images in ImageFolder layout, with --data DIR).")
    var dataset: String?
    @OptionGroup(title: "Image folders and loading") var folder: FolderOptions
    @Option(help: "Folder with the dataset files (required for MNIST and CIFAR; Fashion-MNIST defaults to Debian's path).")
    var data: String?

    @Option(help: "Training epochs (paper: 600, imagenet: 250, quick: 4).") var epochs: Int?
    @Option(help: "Images per step (paper: 96, imagenet: 128, quick: 64).") var batchSize: Int?
    @Option(help: "Initial SGD learning rate, cosine-annealed (paper and quick: 0.025; imagenet: 0.1, decayed by --learning-rate-decay).") var learningRate: Double?
    @Option(help: "Learning rate at the end of the cosine schedule (default 0).") var learningRateMin: Double?
    @Option(help: "Multiply the learning rate by this every epoch instead of the cosine schedule (imagenet preset: 0.97).")
    var learningRateDecay: Double?
    @Option(help: "Stems: cifar (one 3x3 convolution) or imagenet (stride-2 stems for 224-pixel images; the imagenet preset's).")
    var stem: EvalNetworkConfiguration.Style?
    @Option(help: "SGD momentum (default 0.9).") var momentum: Double?
    @Option(help: "L2 weight decay (paper and quick: 3e-4; imagenet: 3e-5).") var weightDecay: Double?
    @Option(help: "Gradient norm clip (default 5).") var gradClip: Double?
    @Option(help: "Cells in the network (paper: 20, imagenet: 14, quick: 8).") var layers: Int?
    @Option(help: "Channels of the first cells, doubled at each reduction (paper: 36, imagenet: 48, quick: 16).") var initChannels: Int?
    @Option(help: "Cutout square side in pixels, 0 for none (paper: 16; imagenet and quick: 0).") var cutout: Int?
    @Option(help: "Weight of the auxiliary head's loss; 0 removes the head (default 0.4).") var auxiliaryWeight: Double?
    @Option(help: "Final drop-path probability, ramped from 0 over the epochs (paper: 0.2; imagenet and quick: 0).")
    var dropPathProb: Double?
    @Option(help: "Label smoothing of the training loss (paper and quick: 0; imagenet: 0.1).") var labelSmoothing: Double?
    @Option(help: "Use only this many training images, class-balanced; 0 for all (quick: 4000; paper and imagenet: all).") var limit: Int?
    @Option(help: "Test images evaluated after each epoch but the last, class-balanced; 0 for all (quick: 2000). The reported accuracy always uses the whole test set.")
    var evalLimit: Int?

    @Option(help: "Output folder (default: runs/train-GENOTYPE-TIMESTAMP).") var output: String?
    @Flag(help: "Continue the run saved in --output; other flags may be left out (they must match the run's if given).")
    var resume = false
    @Option(help: ArgumentHelp("Record N training steps after one that is not recorded, write profile.json (a Chrome trace for https://ui.perfetto.dev or chrome://tracing) and profile.md (the operators with the most self time) to --output, print the table, and stop (checkpoint saved; --resume continues).", valueName: "N"))
    var profile: Int?
    @Flag(help: "Print the network's parameters and multiply-adds block by block, then exit without training.")
    var summary = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        try refuseEmptyOutput(output)
        if resume && output == nil { throw ValidationError("--resume needs --output DIR, the folder of the run to continue") }
        if resume && summary { throw ValidationError("--summary and --resume do not go together; drop one") }
        if let profile, profile < 1 { throw ValidationError("--profile needs at least 1 step, got \(profile)") }
        if !resume && genotype == nil {
            throw ValidationError("missing --genotype: give a built-in name such as DARTS_V2, a genotype file, or DARTS text")
        }
    }

    func run() throws {
        try runtime.apply()
        var (config, directory, folderLock) = try configuration()
        defer { withExtendedLifetime(folderLock) {} }
        let data = try loadData(config)
        // A preset's image cap (quick: 4,000) larger than the dataset means all of it.
        if !resume && limit == nil && config.limit >= data.train.count { config.limit = 0 }
        guard let run = directory else { return try printSummary(config, table: true) }
        let parallel = try runtime.parallel
        try printSummary(config, table: false)
        print("training: \(Plural.counted(config.epochs, "epoch")) of \(config.limit > 0 ? config.limit : data.train.count) images, batch "
              + "\(config.batchSize), lr \(config.learningRate) \(config.learningRateDecay.map { "x\($0) per epoch" } ?? "cosine"), cutout \(config.cutout), drop-path \(config.dropPathProb), "
              + "auxiliary \(config.auxiliaryWeight), threads \(Torch.threadCount), seed \(config.seed)"
              + (try runtime.resolvedMemoryFormat() == .channelsLast ? ", channels-last" : ""))
        print("output: \(run.path)")
        let trainer = try Trainer(configuration: config, train: data.train, test: data.test, directory: run,
                                  device: runtime.resolvedDevice, parallel: parallel,
                                  workers: folder.workerCount(for: data.train), memoryFormat: runtime.resolvedMemoryFormat())
        if parallel.isMain { trainer.observer = ConsoleObserver() }
        if let profile {
            trainer.profiler = try StepProfiler(steps: profile, directory: parallel.isMain ? run : nil,
                                                device: runtime.resolvedDevice, what: "training step")
        }
        StopSignal.shared.install()
        defer { StopSignal.shared.uninstall() }
        try report(try trainer.run(resume: resume), batches: trainer.trainLoader.batchCount, run: run)
    }

    /// The run's settings: the checkpoint's (with --resume) or the preset's, then the flags; the
    /// folder (nil with --summary) and its lock, taken before the folder is looked at.
    private func configuration() throws -> (TrainingConfiguration, RunDirectory?, RunLock?) {
        guard resume else {
            let config = try checkedNewConfiguration()
            return (config, summary ? nil : RunDirectory(path: output ?? defaultOutput(name: config.genotypeName)), nil)
        }
        let run = RunDirectory(path: output!)
        let folderLock = try runtime.parallel.isMain ? try RunLock(run) : nil
        try run.prepare(resume: true)
        let checkpoint = try Checkpoint.load(from: run.checkpoint)
        var config = try checkpoint.trainingConfiguration(source: run.checkpoint.path)
        try applyFlags(to: &config)
        try storeFolderSettings(in: &config)
        if let lost = try DatasetSpec(name: config.dataset, path: config.dataPath.isEmpty ? nil : config.dataPath,
                                      folder: folder.settings()).lostCut(config.validationPortion) {
            throw RunError("cannot resume: " + lost)
        }
        try config.validate()
        try checkpoint.checkConfiguration(config.jsonString(), kind: "train", ignoring: TrainingConfiguration.resumableDifferences)
        return (config, summary ? nil : run, folderLock)
    }

    /// Says how the training ended; a stop exits with the stop code.
    private func report(_ outcome: TrainingOutcome, batches: Int, run: RunDirectory) throws {
        switch outcome {
        case .finished:
            break
        case .stopped(let epoch, let batch):
            let position = batch == 0 ? "after epoch \(epoch)"
                : batch == batches ? "in the test of epoch \(epoch + 1)"
                : "in epoch \(epoch + 1) after batch \(batch) of \(batches)"
            print("stopped \(position); checkpoint saved. Continue with: entrannas train --output \(run.path) --resume")
            throw ExitCode(StopSignal.exitCode)
        case .profiled:
            print("the training stops after its profile; checkpoint saved. Continue with: entrannas train --output \(run.path) --resume")
        }
    }

    /// A new run's settings, checked: the preset, then the flags. `experiment` checks its
    /// training protocol with it before any unit runs.
    func checkedNewConfiguration() throws -> TrainingConfiguration {
        var config = try newConfiguration()
        try applyFlags(to: &config)
        try config.validate()
        return config
    }

    /// The preset for the chosen genotype and dataset, before the flags are applied.
    private func newConfiguration() throws -> TrainingConfiguration {
        let spec = genotype!
        let resolved = try Genotype.resolve(spec)
        let source = try DatasetSpec(name: dataset ?? "fashion-mnist", path: data, folder: folder.settings())
        let data = try source.load()
        var config = TrainingConfiguration(preset: preset, genotype: resolved, genotypeName: genotypeLabel(spec),
                                           dataset: data.train.name, dataPath: self.data ?? "",
                                           inputChannels: data.train.channels, imageHeight: data.train.height,
                                           imageWidth: data.train.width, classes: data.train.classCount, seed: runtime.seed)
        config.validationPortion = try source.heldOutPortion()
        config.unreadable = data.train.files?.unreadable
        return config
    }

    /// Every flag the user gave overrides the preset (or, on --resume, is checked against the run).
    private func applyFlags(to c: inout TrainingConfiguration) throws {
        // Stored by its name ("folder" for "image-folder"); an alias of the stored one is no change.
        if let dataset, DatasetSpec.Name(spelled: dataset) != DatasetSpec.Name(spelled: c.dataset) { c.dataset = dataset }
        if let data { c.dataPath = data }
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let learningRate { c.learningRate = learningRate }
        if let learningRateMin { c.learningRateMin = learningRateMin }
        if let learningRateDecay { c.learningRateDecay = learningRateDecay }
        if let stem { c.style = stem == .imagenet ? .imagenet : nil }
        if let momentum { c.momentum = momentum }
        if let weightDecay { c.weightDecay = weightDecay }
        if let gradClip { c.gradClip = gradClip }
        if let layers { c.layers = layers }
        if let initChannels { c.initChannels = initChannels }
        if let cutout { c.cutout = cutout }
        if let auxiliaryWeight { c.auxiliaryWeight = auxiliaryWeight }
        if let dropPathProb { c.dropPathProb = dropPathProb }
        if let labelSmoothing { c.labelSmoothing = labelSmoothing }
        if let limit { c.limit = limit }
        if let evalLimit { c.evalLimit = evalLimit }
        // Only where the run stored one: a dataset in two parts has no share to hold out.
        if let value = folder.validationPortion, c.validationPortion != nil { c.validationPortion = value }
        if let value = folder.unreadable, c.unreadable != nil { c.unreadable = value }
        if resume, let genotype { c.genotype = try Genotype.resolve(genotype) }
        // Checked against the run's, not ignored.
        if resume, let seed = runtime.seedFlag { c.seed = seed }
    }

    /// A checkpoint written before an image folder's held-out share and unreadable-image policy
    /// were stored (2026-12-06 late) lacks them: the ones this resume uses are stored from now on,
    /// so that the next resume and `eval` cut the same test part.
    private func storeFolderSettings(in c: inout TrainingConfiguration) throws {
        guard DatasetSpec.Name(spelled: c.dataset) == .folder, c.validationPortion == nil || c.unreadable == nil else { return }
        let source = try DatasetSpec(name: c.dataset, path: c.dataPath.isEmpty ? nil : c.dataPath,
                                     folder: folder.settings(size: c.imageHeight, channels: c.inputChannels, unreadable: c.unreadable))
        if c.validationPortion == nil { c.validationPortion = try source.heldOutPortion() }
        if c.unreadable == nil { c.unreadable = source.folder.unreadable }
    }

    /// The run's data; an image folder at the run's image size, channels, held-out share and
    /// unreadable-image policy.
    private func loadData(_ c: TrainingConfiguration) throws -> DatasetPair {
        try DatasetSpec(name: c.dataset, path: c.dataPath.isEmpty ? nil : c.dataPath,
                        folder: folder.settings(size: c.imageHeight, channels: c.inputChannels, unreadable: c.unreadable,
                                                validationPortion: c.validationPortion)).load()
    }

    private func printSummary(_ c: TrainingConfiguration, table: Bool) throws {
        // Building the network draws weights; keep the training run's generator untouched.
        let state = try Torch.rngState()
        defer { try? Torch.setRNGState(state) }
        guard let network = try? EvalNetwork(genotype: c.genotype, configuration: c.network) else { return }
        let summary = network.summary(height: c.imageHeight, width: c.imageWidth)
        print("genotype \(c.genotypeName): \(c.genotype.dartsText)")
        for warning in [c.genotype.densityWarning, c.network.style.sizeWarning(imageSize: min(c.imageHeight, c.imageWidth),
                                                                                     remedy: "use --stem cifar, or a preset other than imagenet")] {
            if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        }
        print("network: \(c.layers) cells, \(c.initChannels) initial channels\(c.style == .imagenet ? ", ImageNet stems" : ""), \(c.dataset) input "
              + "\(c.inputChannels)x\(c.imageHeight)x\(c.imageWidth), \(c.classes) classes")
        if table { print(summary.table) }
        print(summary.headline)
    }

    private func defaultOutput(name: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }
        return "runs/train-\(String(safe))-\(formatter.string(from: Date()))"
    }
}

/// A short name for a genotype argument: the built-in name, the file's name, or "custom".
func genotypeLabel(_ spec: String) -> String {
    let trimmed = spec.trimmingCharacters(in: .whitespacesAndNewlines)
    if Genotype.named(trimmed) != nil {
        let key = trimmed.uppercased()
        return Genotype.builtinAliases.first { $0.key.uppercased() == key }?.value
            ?? Genotype.builtinNames.first { $0.uppercased() == key } ?? trimmed
    }
    if FileManager.default.fileExists(atPath: trimmed) {
        return ((trimmed as NSString).lastPathComponent as NSString).deletingPathExtension
    }
    return "custom"
}

extension TrainingPreset: ExpressibleByArgument {}

extension Checkpoint {
    /// The training configuration stored in a training checkpoint.
    func trainingConfiguration(source: String) throws -> TrainingConfiguration {
        guard kind == "train" else {
            throw RunError("\(source) was written by `entrannas \(kind)`, not `entrannas train`; choose the training run's --output")
        }
        return try TrainingConfiguration(json: configuration, source: source)
    }
}
