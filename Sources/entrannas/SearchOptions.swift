import ArgumentParser
import Datasets
import Foundation
import NAS

extension SearchPreset: ExpressibleByArgument {}

/// Every search setting, with DARTS' flag spellings. Unset flags take the preset's value,
/// then the method's default (docs/method.md#bilevel).
struct SearchOptions: ParsableArguments {
    // Method, preset and dataset are optional flags so that a resume can tell a flag given from
    // a default, and take what the stored search says where none is given.
    @Option(name: .customLong("method"), help: ArgumentHelp("Search method (default: entrannas).", valueName: "method"))
    var methodFlag: SearchMethod?
    @Option(name: .customLong("preset"), help: ArgumentHelp("quick (minutes on a CPU, smoke test), cpu (10-15 CPU minutes for EnTranNAS, the architecture learns), paper (default: the method's published configuration) or imagenet (PC-DARTS' direct ImageNet search: ImageNet stem, 10% + 2.5% of every class, batch 1024; for GPUs).", valueName: "preset"))
    var presetFlag: SearchPreset?
    @Option(name: .customLong("dataset"), help: ArgumentHelp("Dataset: fashion-mnist (default, Debian package), mnist, cifar10, cifar100, or folder (your images in ImageFolder layout, with --data DIR).", valueName: "dataset"))
    var datasetFlag: String?
    @Option(help: "Folder of the dataset files (required for MNIST and CIFAR; Fashion-MNIST defaults to Debian's path).")
    var data: String?

    @Option(help: "Search epochs (paper and imagenet: 50, cpu: 10, quick: 6; every preset's values: docs/presets.md).") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Images per step, for weights and for the architecture (paper: DARTS 64, PC-DARTS and EnTranNAS 256; cpu and quick: 64; imagenet: 1024).")
    var batchSize: Int?
    @Option(name: .customLong("learning-rate"), help: "Initial SGD learning rate of the weights, cosine-annealed (paper: DARTS 0.025, PC-DARTS and EnTranNAS 0.1; cpu and quick: DARTS 0.025, the others 0.05; imagenet: 0.5).")
    var learningRate: Double?
    @Option(name: .customLong("learning-rate-min"), help: "Learning rate at the end of the cosine schedule (DARTS: 0.001, else 0; imagenet preset: 0).")
    var learningRateMin: Double?
    @Option(help: "SGD momentum (0.9).") var momentum: Double?
    @Option(name: .customLong("weight-decay"), help: "Weight decay of the network weights (3e-4).") var weightDecay: Double?
    @Option(name: .customLong("grad-clip"), help: "Gradient-norm clip of the weights (5).") var gradClip: Double?
    @Option(name: .customLong("arch-learning-rate"), help: "Adam learning rate of alphas, betas and thresholds (paper: DARTS 3e-4, PC-DARTS and EnTranNAS 6e-4; cpu: 3e-2; quick and imagenet: 6e-3).")
    var archLearningRate: Double?
    @Option(name: .customLong("arch-weight-decay"), help: "Weight decay of the architecture parameters (1e-3).")
    var archWeightDecay: Double?
    @Option(name: .customLong("arch-beta1"), help: "Adam beta1 of the architecture optimizer (DARTS: 0.5).")
    var archBeta1: Double?
    @Option(name: .customLong("warmup-epochs"), help: "Epochs training weights only before architecture steps.")
    var warmupEpochs: Int?
    @Option(name: .customLong("train-portion"), help: "Share of the training set for weights (the rest trains the architecture).")
    var trainPortion: Double?
    @Option(help: "Use only this many training images, class-balanced.")
    var limit: Int?
    @Option(name: .customLong("eval-limit"), help: "Validation images evaluated per epoch (cpu preset: 2,000; the others: the whole architecture split).")
    var evalLimit: Int?
    @Option(name: .customLong("gap-every"), help: ArgumentHelp("Measure the consistency gap (super-net vs derived net, batch norm re-estimated) after every N-th epoch, not only at the end: metrics.jsonl's super_net_accuracy and derived_accuracy, the log, TensorBoard and report.html.", valueName: "N"))
    var gapEvery: Int?

    @Option(help: "Cells in the super-net (paper and imagenet: 8; cpu and quick: 5).") var layers: Int?
    @Option(name: .customLong("init-channels"), help: "Channels of the first cells, doubled at each reduction (paper and imagenet: 16; cpu and quick: 8).")
    var initChannels: Int?
    @Option(help: "Intermediate nodes per cell (4).") var steps: Int?
    @Option(help: "Candidate ops, comma-separated DARTS names, or 'darts' / 'extended'.")
    var primitives: String?
    @Option(name: .customLong("engine-cells"), help: "Comma-separated indices of Engine-cells (EnTranNAS; default: first normal and first reduction cell).")
    var engineCells: String?
    @Option(name: .customLong("feature-sharing"), help: "One op output per (source node, op): true or false (default: on for EnTranNAS).")
    var featureSharing: Bool?
    @Option(help: "Engine-cell softmax temperature tau (with --temperature-end: the first epoch's).")
    var temperature: Double?
    @Option(name: .customLong("temperature-end"), help: "Anneal tau geometrically from --temperature to this over the search epochs, so the Engine-cells' mixture sharpens towards the derived cell (docs/method.md#a2).")
    var temperatureEnd: Double?
    @Option(name: .customLong("partial-channels"), help: "PC-DARTS partial channels K (1 = off).")
    var partialChannels: Int?
    @Option(name: .customLong("edge-normalization"), help: "PC-DARTS edge normalisation: true or false.")
    var edgeNormalization: Bool?
    @Option(name: .customLong("dst-none"), help: "EnTranNAS-DST and 'none': excluded (default) or masked.")
    var dstNone: DSTNoneHandling?
    @Option(name: .customLong("threshold-init"), help: "Initial DST threshold logit (t = sigmoid; 0 gives 0.5; below 16).")
    var thresholdInit: Double?
    @Option(name: .customLong("dst-renormalization"), help: "EnTranNAS-DST renormalisation of the thresholded weights: straight-through (default), edge, node or hard (docs/method.md#dst-renormalisation).")
    var dstRenormalization: DSTRenormalization?
    @Option(help: "Stem: cifar (one 3x3 convolution) or imagenet (three stride-2 convolutions, for 224-pixel images; default with --preset imagenet).")
    var stem: EvalNetworkConfiguration.Style?
    @Option(name: .customLong("weight-fraction"), help: "Fraction of every class for the weights, with --arch-fraction (PC-DARTS' ImageNet split: 0.1; replaces --train-portion and --limit).")
    var weightFraction: Double?
    @Option(name: .customLong("arch-fraction"), help: "Fraction of every class for the architecture, with --weight-fraction (PC-DARTS: 0.025).")
    var architectureFraction: Double?
    @Option(name: .customLong("dst-sparsity"), help: "EnTranNAS-DST: weight of an L1 term on the thresholded weights in the architecture loss (default 0: none, as the paper states none).")
    var dstSparsity: Double?
    @Option(name: .customLong("dst-sparsity-scope"), help: "EnTranNAS-DST sparsity term per node: mean (default) or sum over the node's candidates (every candidate pressed alike).")
    var dstSparsityScope: DSTSparsityScope?
    @Option(name: .customLong("dst-transit"), help: "EnTranNAS-DST Transit-cells during the search: weighted (default: each kept op times its detached q-hat, the Engine-cell's mixture) or unweighted (the paper's plain sum of the kept ops; docs/method.md#a16).")
    var dstTransit: DSTTransit?
    @Option(name: .customLong("dst-max-in-degree"), help: ArgumentHelp("EnTranNAS-DST: at most N (input, op) pairs survive per node (default: no cap, the paper's rule; docs/method.md#a17).", valueName: "N"))
    var dstMaxInDegree: Int?
    @Option(name: .customLong("dst-threshold-pull"), help: "EnTranNAS-DST: the loss gradient a node's threshold gets, sum (default, the plain gradient) or mean over the node's kept candidates, so a node that keeps many is not pulled harder to keep more (docs/method.md#a19).")
    var dstThresholdPull: DSTThresholdPull?
    @Option(name: .customLong("engine-edges"), help: "EnTranNAS: which edges an Engine-cell node sums: all (default, the paper's mixture) or derived (only the derived cell's edges count in the forward value, the others pass on their gradient; docs/method.md#a18).")
    var engineEdges: EngineEdges?

    @OptionGroup(title: "Image folders and loading") var folder: FolderOptions

    @Option(help: "Output folder. search: genotype, metrics, log and checkpoint, default runs/search-METHOD-seedN; run: search/, train/ and report.md, default runs/run-METHOD-seedN.")
    var output: String?
    @Flag(help: "Continue the search (or run) saved in --output, with its stored settings (flags given must agree with them; --data may name a moved folder).")
    var resume = false
    @Option(help: ArgumentHelp("Record N search steps after one that is not recorded, write profile.json (a Chrome trace for https://ui.perfetto.dev or chrome://tracing) and profile.md (the operators with the most self time) to --output, print the table, and stop (checkpoint saved; --resume continues).", valueName: "N"))
    var profile: Int?

    var method: SearchMethod { methodFlag ?? .entrannas }
    var preset: SearchPreset { presetFlag ?? .paper }
    var dataset: String { datasetFlag ?? "fashion-mnist" }

    /// With --resume, the search stored in `folder` (nil without one: the resume's own checks
    /// then say what is missing). Its method, dataset, folder and an image folder's held-out
    /// share and unreadable-image policy fill the flags not given; its
    /// settings are the base the other flags apply to (`spaceConfig(for:stored:)`), except where
    /// --preset is given: the preset's values are then checked against the stored ones.
    mutating func adoptStoredSearch(in folder: URL) throws -> StoredSearch? {
        guard resume, let stored = try StoredSearch.read(from: folder) else { return nil }
        if methodFlag == nil { methodFlag = stored.config.method }
        if datasetFlag == nil { datasetFlag = stored.dataset }
        if DatasetSpec.Name(spelled: dataset) == DatasetSpec.Name(spelled: stored.dataset) {
            if data == nil { data = stored.dataPath }
            if self.folder.unreadable == nil { self.folder.unreadable = stored.unreadable }
            if self.folder.validationPortion == nil { self.folder.validationPortion = stored.validationPortion }
        }
        return stored
    }

    func validate() throws {
        try refuseEmptyOutput(output)
        if let profile, profile < 1 { throw ValidationError("--profile needs at least 1 step, got \(profile)") }
    }

    /// The search space for a dataset of the given shape: the preset's, or the `stored` one,
    /// with the flags given on top.
    func spaceConfig(for data: Dataset, stored: StoredSearch? = nil) throws -> SearchSpaceConfig {
        // A preset given on resume is compared with the stored values, not replaced by them.
        if let stored, presetFlag == nil {
            var c = stored.config
            // Flags that reshape the network are compared first: applied to the stored layout,
            // they would fail its checks (an Engine-cell out of range) before any comparison.
            var given: [(name: String, here: String, stored: String)] = []
            if let methodFlag { given.append(("method", methodFlag.rawValue, c.method.rawValue)) }
            if let layers { given.append(("layers", "\(layers)", "\(c.layers)")) }
            if let steps { given.append(("steps", "\(steps)", "\(c.steps)")) }
            if let primitives {
                // As a new search lists them: DST drops 'none' unless it is masked.
                var ops = try Primitive.parseList(primitives)
                if c.method == .entrannasDST {
                    ops.removeAll { $0 == .none }
                    if (dstNone ?? c.dstNone) == .masked { ops.insert(.none, at: 0) }
                }
                given.append(("primitives", ops.map(\.rawValue).joined(separator: ","), c.primitives.map(\.rawValue).joined(separator: ",")))
            }
            if let differing = given.first(where: { $0.here != $0.stored }) {
                throw Checkpoint.resumeRefusal("setting '\(differing.name)' is \(differing.here) here but \(differing.stored) in the checkpoint")
            }
            if let initChannels { c.initChannels = initChannels }
            (c.inputChannels, c.imageSize, c.classes) = (data.channels, data.height, data.classCount)
            return try applyFlags(to: c)
        }
        return try spaceConfig(inputChannels: data.channels, imageSize: data.height, classes: data.classCount)
    }

    /// The search space for images of the given shape.
    func spaceConfig(inputChannels: Int, imageSize: Int, classes: Int) throws -> SearchSpaceConfig {
        var ops = Primitive.darts
        if let primitives { ops = try Primitive.parseList(primitives) }
        if method == .entrannasDST && dstNone == .masked && !ops.contains(Primitive.none) { ops.insert(Primitive.none, at: 0) }
        return try applyFlags(to: SearchSpaceConfig(preset: preset, method: method, primitives: ops, layers: layers, initChannels: initChannels,
                                                    steps: steps, inputChannels: inputChannels, imageSize: imageSize, classes: classes))
    }

    /// The flags that set the space's other fields, then the check.
    private func applyFlags(to config: SearchSpaceConfig) throws -> SearchSpaceConfig {
        var c = config
        if method == .entrannasDST, let dstNone {
            c.dstNone = dstNone
            if dstNone == .masked && !c.primitives.contains(Primitive.none) { c.primitives.insert(Primitive.none, at: 0) }
        }
        if let engineCells {
            c.engineCells = try engineCells.split(separator: ",").map { item in
                guard let i = Int(item.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--engine-cells takes comma-separated cell indices, got '\(engineCells)'")
                }
                return i
            }
        }
        if let featureSharing { c.featureSharing = featureSharing }
        if let temperature { c.temperature = temperature }
        if let temperatureEnd { c.temperatureEnd = temperatureEnd }
        if let stem { c.style = stem == .imagenet ? .imagenet : nil }
        if let partialChannels { c.partialChannels = partialChannels }
        if let edgeNormalization { c.edgeNormalization = edgeNormalization }
        if let thresholdInit { c.thresholdInit = thresholdInit }
        if let dstRenormalization { c.dstRenormalization = dstRenormalization }
        if let dstSparsity { c.dstSparsity = dstSparsity }
        if let dstSparsityScope { c.dstSparsityScope = dstSparsityScope }
        if let dstTransit { c.dstTransit = dstTransit }
        if let dstMaxInDegree { c.dstMaxInDegree = dstMaxInDegree }
        // `sum` is what nil means: stored as nil, so a resume that names it matches a search started without it.
        if let dstThresholdPull { c.dstThresholdPull = dstThresholdPull == .sum ? nil : dstThresholdPull }
        if let engineEdges { c.engineEdges = engineEdges }
        try c.validate()
        return c
    }

    var hyperparameters: SearchHyperparameters { hyperparameters(stored: nil) }

    /// The preset's schedule, or the `stored` one, with the flags given on top.
    func hyperparameters(stored: SearchHyperparameters?) -> SearchHyperparameters {
        var h = stored ?? SearchHyperparameters(preset: preset, method: method)
        if let epochs { h.epochs = epochs }
        if let batchSize { h.batchSize = batchSize }
        if let learningRate { h.learningRate = learningRate }
        if let learningRateMin { h.learningRateMin = learningRateMin }
        if let momentum { h.momentum = momentum }
        if let weightDecay { h.weightDecay = weightDecay }
        if let gradClip { h.gradClip = gradClip }
        if let archLearningRate { h.archLearningRate = archLearningRate }
        if let archWeightDecay { h.archWeightDecay = archWeightDecay }
        if let archBeta1 { h.archBeta1 = archBeta1 }
        if let warmupEpochs { h.warmupEpochs = warmupEpochs }
        if let trainPortion { h.trainPortion = trainPortion }
        if let limit { h.limit = limit }
        if let weightFraction { h.weightFraction = weightFraction }
        if let architectureFraction { h.architectureFraction = architectureFraction }
        if limit != nil && weightFraction == nil && (stored == nil ? preset == .imagenet : h.weightFraction != nil) {
            (h.weightFraction, h.architectureFraction) = (nil, nil)
        }
        if let evalLimit { h.evalLimit = evalLimit }
        if let gapEvery { h.gapEvery = gapEvery }
        if stored == nil && h.warmupEpochs >= h.epochs && epochs != nil && warmupEpochs == nil {
            h.warmupLoweredFrom = h.warmupEpochs
            h.warmupEpochs = max(0, h.epochs / 3)
        }
        return h
    }

    /// The settings for `train`: a preset's image cap (quick 2,000, cpu 10,000) larger than the
    /// dataset means all of it; a `--limit` given by hand is kept, and checked by the split.
    func hyperparameters(for train: Dataset, stored: StoredSearch? = nil) -> SearchHyperparameters {
        let base = presetFlag == nil ? stored?.hyper : nil
        var h = hyperparameters(stored: base)
        if base == nil, limit == nil, let cap = h.limit, cap >= train.count { h.limit = nil }
        return h
    }

    /// Flags that were given but change nothing for the chosen method, one warning each.
    var ineffectiveFlagWarnings: [String] {
        guard method != .entrannasDST else { return [] }
        let dstOnly: [(String, Bool)] = [("--dst-none", dstNone != nil), ("--threshold-init", thresholdInit != nil),
                                         ("--dst-renormalization", dstRenormalization != nil), ("--dst-sparsity", dstSparsity != nil),
                                         ("--dst-sparsity-scope", dstSparsityScope != nil), ("--dst-transit", dstTransit != nil),
                                         ("--dst-max-in-degree", dstMaxInDegree != nil), ("--dst-threshold-pull", dstThresholdPull != nil)]
        return dstOnly.filter(\.1).map { "warning: \($0.0) does nothing with --method \(method.rawValue) (it applies to entrannas-dst only)" }
    }

    func outputFolder(seed: UInt64) -> URL {
        URL(fileURLWithPath: output ?? "runs/search-\(method.rawValue)-seed\(seed)")
    }

    /// Checks the settings that do not depend on the dataset, to call before reading it: a size out
    /// of range then fails at once, not after the dataset is read (0.6 s for Fashion-MNIST in a
    /// release build, more for a large image folder). A shape that every check accepts (3 x 224 x
    /// 224, 10 classes) stands in for the dataset's; `spaceConfig(for:)` checks the real one.
    func checkWithoutData() throws {
        _ = try spaceConfig(inputChannels: 3, imageSize: 224, classes: 10)
        try hyperparameters.validate()
    }

    /// The training set; an image folder at the stored search's size and channels on resume
    /// (the flags, where given, win). A search that `run` started on one folder of classes
    /// searched its training part: its resume does too, and returns the share held out (else nil).
    func loadTrainingSet(stored: StoredSearch? = nil) throws -> (data: Dataset, heldOut: Double?) {
        let source = try DatasetSpec(name: dataset, path: data,
                                     folder: folder.settings(size: stored?.config.imageSize, channels: stored?.config.inputChannels))
        if let stored, stored.validationPortion != nil, source.name == .folder {
            if let lost = try source.lostCut(stored.validationPortion) { throw RunError("cannot resume: " + lost) }
            return (try source.load().train, try source.heldOutPortion())
        }
        return (try source.loadTrainingSet(), nil)
    }
}

extension SearchMethod: ExpressibleByArgument {}
extension DSTNoneHandling: ExpressibleByArgument {}
extension DSTRenormalization: ExpressibleByArgument {}
extension DSTSparsityScope: ExpressibleByArgument {}
extension DSTTransit: ExpressibleByArgument {}
extension DSTThresholdPull: ExpressibleByArgument {}
extension EngineEdges: ExpressibleByArgument {}
extension EvalNetworkConfiguration.Style: ExpressibleByArgument {}
