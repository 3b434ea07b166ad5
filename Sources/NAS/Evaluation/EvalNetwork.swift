import Datasets
import Foundation
import Torch

/// Shape and size of an evaluation network; the genotype is given separately.
public struct EvalNetworkConfiguration: Codable, Equatable, Sendable {
    /// CIFAR style: one stride-1 stem, any input size. ImageNet style (mobile setting): two
    /// stride-2 stems taking 224x224 to 28x28 before the first cell.
    public enum Style: String, Codable, CaseIterable, Sendable {
        /// `NetworkCIFAR`, `NetworkImageNet`.
        case cifar, imagenet

        /// A warning where ImageNet stems meet small images: they divide the side by 8 before the
        /// first cell (224 to 28), so 28-pixel images reach it at 4x4 and the last cells at 1x1.
        /// The network runs, but it is not the one a user of the preset means.
        /// `remedy` names the command's own way to the CIFAR stem.
        public func sizeWarning(imageSize: Int, remedy: String) -> String? {
            guard self == .imagenet, imageSize < 64 else { return nil }
            let first = (imageSize + 7) / 8
            return "warning: the ImageNet stems divide the image side by 8 before the first cell (they are made for "
                + "224-pixel images): these \(imageSize)-pixel images reach it at \(first)x\(first); for small images "
                + remedy
        }
    }

    /// Stem layout (default `.cifar`).
    public var style: Style
    /// Number of cells (`--layers`); reductions at layers/3 and 2*layers/3.
    public var layers: Int
    /// Channels of the first cell's nodes (`--init-channels`, C); doubled at each reduction.
    public var initChannels: Int
    /// Image channels (1 for Fashion-MNIST, 3 for CIFAR and ImageNet).
    public var inputChannels: Int
    /// Number of classes the classifier predicts.
    public var classes: Int
    /// Whether the auxiliary head after cell 2*layers/3 exists (it runs in training only).
    public var auxiliary: Bool
    /// CIFAR stem width as a multiple of C (DARTS: 3). Unused by the ImageNet stems.
    public var stemMultiplier: Int

    /// The settings; stemMultiplier defaults to DARTS' 3.
    public init(style: Style = .cifar, layers: Int, initChannels: Int, inputChannels: Int, classes: Int,
                auxiliary: Bool, stemMultiplier: Int = 3) {
        self.style = style
        self.layers = layers
        self.initChannels = initChannels
        self.inputChannels = inputChannels
        self.classes = classes
        self.auxiliary = auxiliary
        self.stemMultiplier = stemMultiplier
    }

    /// DARTS' CIFAR-10 evaluation network: 20 cells, 36 channels, auxiliary head (docs/method.md#evaluation).
    public static let dartsCIFAR = EvalNetworkConfiguration(layers: 20, initChannels: 36, inputChannels: 3, classes: 10,
                                                            auxiliary: true)
    /// DARTS' ImageNet network in the mobile setting: 14 cells, 48 channels (docs/method.md#search-space).
    public static let dartsImageNet = EvalNetworkConfiguration(style: .imagenet, layers: 14, initChannels: 48,
                                                               inputChannels: 3, classes: 1000, auxiliary: true)

    /// Indices of the reduction cells (DARTS `[layers // 3, 2 * layers // 3]`).
    public var reductionIndices: Set<Int> { [layers / 3, auxiliaryIndex] }
    /// The cell whose output feeds the auxiliary head: 2*layers/3.
    public var auxiliaryIndex: Int { SearchSpaceConfig.secondReductionIndex(layers: layers) }

    /// A lower bound of the parameters a network of this size holds, computed without building
    /// it; nil when a setting is negative or the bound overflows. Each cell's 1x1 preprocessing
    /// of the previous cell's output has at least C²/2 weights (a cell's C never falls below
    /// `initChannels`), the classifier at least classes x C, the stem at least
    /// (input channels / 2) x C in its convolution and stem multiplier x C in its batch norm
    /// (CIFAR style). A reader of a file compares it with the
    /// weights the file holds before it builds anything, so settings a file claims cannot make
    /// the build allocate beyond what the file carries.
    public var parameterLowerBound: Int? {
        guard layers >= 0, initChannels >= 0, classes >= 0, inputChannels >= 0, stemMultiplier >= 0 else { return nil }
        let c = initChannels
        let stem = style == .cifar ? stemMultiplier : 0
        var total = 0
        // Each pair's product times C: the cells, the classifier, the stem's convolution and its batch norm.
        for (a, b) in [(layers, c / 2), (classes, 1), (inputChannels / 2, 1), (stem, 1)] {
            let (ab, o1) = a.multipliedReportingOverflow(by: b)
            let (term, o2) = ab.multipliedReportingOverflow(by: c)
            let (sum, o3) = total.addingReportingOverflow(term)
            if o1 || o2 || o3 { return nil }
            total = sum
        }
        return total
    }

    /// Refuses a size read from `source` that needs more weights than the `held` elements the
    /// file carries (a damaged or crafted file), before the network is built.
    public func checkHeld(_ held: Int, source: String) throws {
        guard let needed = parameterLowerBound, needed <= held else {
            throw RunError("\(source) claims a network of \(layers) cells of \(initChannels) channels for \(classes) classes, "
                           + "which needs more weights than the \(held) it holds; the file is damaged")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case style, layers, classes, auxiliary
        case initChannels = "init_channels"
        case inputChannels = "input_channels"
        case stemMultiplier = "stem_multiplier"
    }
}

/// Why an evaluation network cannot be built; one line naming the setting and the fix.
public enum EvalNetworkError: DescribedError, Equatable, Sendable {
    /// A setting out of range; the message names its flag.
    case invalidSetting(String)
    /// The genotype cannot be built into cells.
    case genotype(String)

    /// The message, one line.
    public var description: String {
        switch self {
        case .invalidSetting(let message): return message
        case .genotype(let message): return "genotype cannot be built: \(message)"
        }
    }
}

/// The network a searched genotype is trained and reported with (DARTS `NetworkCIFAR` and
/// `NetworkImageNet`): stem, `layers` cells built from the genotype, global average pooling and a
/// linear classifier, plus the auxiliary head in training. Any input channels, size and classes.
public final class EvalNetwork: Module, @unchecked Sendable {
    /// Shape and size of this network.
    public let configuration: EvalNetworkConfiguration
    /// The genotype every cell is built from.
    public let genotype: Genotype

    /// CIFAR style: Conv3x3 (input -> stemMultiplier*C) -> BN.
    public let stem: Sequential?
    /// ImageNet style: Conv3x3 s2 -> BN -> ReLU -> Conv3x3 s2 -> BN.
    public let stem0: Sequential?
    /// ImageNet style: ReLU -> Conv3x3 s2 -> BN.
    public let stem1: Sequential?
    /// The `layers` cells, reductions at layers/3 and 2*layers/3.
    public let cells: [EvalCell]
    /// Named so that its parameters contain "auxiliary", which DARTS' count skips.
    public let auxiliaryHead: AuxiliaryHead?
    /// Linear from the last cell's channels to the classes, after global average pooling.
    public let classifier: Linear

    /// Drop-path probability of every cell (training mode only); the trainer ramps it per epoch.
    public var dropPathProbability: Double = 0 {
        didSet { for cell in cells { cell.dropPathProbability = dropPathProbability } }
    }

    /// Builds the network; throws `EvalNetworkError` when the settings or the genotype cannot make one.
    public init(genotype: Genotype, configuration: EvalNetworkConfiguration) throws {
        try Self.validate(genotype: genotype, configuration: configuration)
        self.configuration = configuration
        self.genotype = genotype
        let c = configuration.initChannels
        var previousPrevious: Int, previous: Int, reductionPrevious: Bool
        switch configuration.style {
        case .cifar:
            let stemChannels = configuration.stemMultiplier * c
            stem = Sequential(try Conv2d(configuration.inputChannels, stemChannels, kernelSize: 3, padding: 1, bias: false),
                              try BatchNorm2d(stemChannels))
            stem0 = nil
            stem1 = nil
            (previousPrevious, previous, reductionPrevious) = (stemChannels, stemChannels, false)
        case .imagenet:
            stem = nil
            stem0 = Sequential(try Conv2d(configuration.inputChannels, c / 2, kernelSize: 3, stride: 2, padding: 1, bias: false),
                               try BatchNorm2d(c / 2), ReLU(),
                               try Conv2d(c / 2, c, kernelSize: 3, stride: 2, padding: 1, bias: false), try BatchNorm2d(c))
            stem1 = Sequential(ReLU(), try Conv2d(c, c, kernelSize: 3, stride: 2, padding: 1, bias: false), try BatchNorm2d(c))
            (previousPrevious, previous, reductionPrevious) = (c, c, true)
        }
        var cells: [EvalCell] = []
        var current = c
        var auxiliaryChannels = previous
        for i in 0..<configuration.layers {
            let reduction = configuration.reductionIndices.contains(i)
            if reduction { current *= 2 }
            let cell = try EvalCell(genotype: genotype, cellType: reduction ? .reduce : .normal,
                                previousPreviousChannels: previousPrevious, previousChannels: previous,
                                channels: current, reductionPrevious: reductionPrevious)
            cells.append(cell)
            reductionPrevious = reduction
            (previousPrevious, previous) = (previous, cell.outputChannels)
            if i == configuration.auxiliaryIndex { auxiliaryChannels = previous }
        }
        self.cells = cells
        auxiliaryHead = try configuration.auxiliary
            ? AuxiliaryHead(configuration.style == .cifar ? .cifar : .imagenet, inputChannels: auxiliaryChannels,
                            classes: configuration.classes)
            : nil
        classifier = try Linear(previous, configuration.classes)
    }

    /// Class logits, and in training mode with an auxiliary head also the auxiliary logits.
    public func callAsFunction(_ input: Tensor) throws -> (logits: Tensor, auxiliaryLogits: Tensor?) {
        var s0: Tensor, s1: Tensor
        if let stem {
            s0 = try stem(input)
            s1 = s0
        } else {
            s0 = try stem0!(input)
            s1 = try stem1!(s0)
        }
        var auxiliaryLogits: Tensor?
        for (i, cell) in cells.enumerated() {
            (s0, s1) = (s1, try cell(s0, s1))
            if i == configuration.auxiliaryIndex, isTraining, let auxiliaryHead {
                auxiliaryLogits = try auxiliaryHead(s1)
            }
        }
        let pooled = try adaptiveAvgPool2d(s1, outputSize: (1, 1)).flatten(from: 1)
        return (try classifier(pooled), auxiliaryLogits)
    }

    /// Parameters as the papers count them: everything except the auxiliary head (DARTS
    /// `count_parameters_in_MB` skips names containing "auxiliary").
    public var parameterCountWithoutAuxiliary: Int {
        namedParameters().filter { !$0.0.hasPrefix("auxiliaryHead.") }.reduce(0) { $0 + $1.1.count }
    }

    /// Parameters of the auxiliary head alone (0 without one).
    public var auxiliaryParameterCount: Int { auxiliaryHead?.parameterCount() ?? 0 }

    /// Throws a one-line error when the settings or the genotype cannot make a network.
    public static func validate(genotype: Genotype, configuration: EvalNetworkConfiguration) throws {
        func invalid(_ message: String) -> EvalNetworkError { .invalidSetting(message) }
        if configuration.layers < 1 { throw invalid("--layers must be at least 1, got \(configuration.layers)") }
        if configuration.initChannels < 2 || configuration.initChannels % 2 != 0 {
            throw invalid("--init-channels must be an even number of at least 2 (reductions split channels in halves), "
                          + "got \(configuration.initChannels)")
        }
        if configuration.inputChannels < 1 {
            throw invalid("--input-channels must be at least 1, got \(configuration.inputChannels)")
        }
        if configuration.classes < 2 {
            throw invalid("the network needs at least 2 classes (--classes, or class folders of a --dataset folder), got \(configuration.classes)")
        }
        if configuration.stemMultiplier < 1 {
            throw invalid("stem multiplier must be at least 1, got \(configuration.stemMultiplier)")
        }
        for (flag, value, top) in [("--layers", configuration.layers, SizeLimits.layers),
                                   ("--init-channels", configuration.initChannels, SizeLimits.channels),
                                   ("--input-channels", configuration.inputChannels, SizeLimits.channels),
                                   ("--classes", configuration.classes, SizeLimits.channels),
                                   ("stem multiplier", configuration.stemMultiplier, 64)] {
            if let message = SizeLimits.complaint(flag, value, 1...top) { throw invalid(message) }
        }
        do { try genotype.validate() } catch { throw EvalNetworkError.genotype(String(describing: error)) }
        if let input = genotype.reduceConcat.first(where: { $0 < 2 }) {
            throw EvalNetworkError.genotype("reduce_concat lists state \(input), a cell input at twice the output "
                                            + "resolution; a reduction cell can only concatenate intermediate nodes")
        }
    }
}
