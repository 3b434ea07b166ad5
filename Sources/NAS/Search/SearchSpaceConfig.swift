import Foundation
import Datasets

/// Everything that fixes the shape of a search network (docs/method.md#search-space). Codable so that a
/// checkpoint can say which setting differs when resumed with other flags.
public struct SearchSpaceConfig: Codable, Equatable, Sendable {
    /// The search method; it sets the defaults of the other fields.
    public var method: SearchMethod
    /// Candidate ops; column k of an alpha matrix is `primitives[k]`.
    public var primitives: [Primitive]
    /// Intermediate nodes per cell (DARTS `steps`, 4).
    public var steps = 4
    /// Nodes concatenated into a cell's output (DARTS `multiplier`); equal to `steps` by default.
    public var multiplier = 4
    /// Cells in the super-net (`--layers`, DARTS search: 8).
    public var layers = 8
    /// Channels of the first cell's nodes (`--init-channels`, C); doubled at each reduction.
    public var initChannels = 16
    /// Stem width as a multiple of C (DARTS: 3).
    public var stemMultiplier = 3
    /// Stem layout: nil or `.cifar`, one stride-1 3x3 convolution; `.imagenet`, PC-DARTS'
    /// ImageNet search stem, three stride-2 3x3 convolutions (224 -> 28 before the first cell).
    /// Optional so that configurations written before it existed read back unchanged.
    public var style: EvalNetworkConfiguration.Style?
    /// Image channels (1 for Fashion-MNIST).
    public var inputChannels = 1
    /// Image height and width in pixels (28 for Fashion-MNIST).
    public var imageSize = 28
    /// Number of classes.
    public var classes = 10
    /// Indices of the Engine-cells; every other cell is a Transit-cell (docs/method.md#a1).
    public var engineCells: [Int]
    /// One op output per (source node, op) inside a cell instead of one per edge (docs/method.md#feature-sharing).
    public var featureSharing: Bool
    /// Engine-cell softmax temperature tau (docs/method.md#a2); with `temperatureEnd`, the first epoch's.
    public var temperature = 1.0
    /// The last epoch's temperature: tau is annealed geometrically from `temperature` to this over
    /// the search, so the Engine-cells' mixture sharpens towards the derived cell
    /// (docs/method.md#a2); nil keeps tau fixed.
    public var temperatureEnd: Double?

    /// Tau in `epoch` of `epochs`: `temperature`, or geometric from it to `temperatureEnd`.
    public func temperature(epoch: Int, of epochs: Int) -> Double {
        guard let end = temperatureEnd, epochs > 1 else { return temperatureEnd ?? temperature }
        return temperature * Foundation.pow(end / temperature, Double(min(epoch, epochs - 1)) / Double(epochs - 1))
    }
    /// PC-DARTS partial channels: ops see 1/K of the channels; 1 switches it off.
    public var partialChannels: Int
    /// PC-DARTS edge normalisation betas.
    public var edgeNormalization: Bool
    /// Whether EnTranNAS-DST drops `none` from the candidates or masks it (docs/method.md#a5).
    public var dstNone: DSTNoneHandling = .excluded
    /// EnTranNAS-DST renormalisation scope of the thresholded weights.
    public var dstRenormalization: DSTRenormalization = .straightThrough
    /// EnTranNAS-DST: weight of an L1 term on the thresholded weights q in the architecture loss,
    /// a pressure to prune that the paper does not state (docs/method.md#a7); 0 turns it off.
    public var dstSparsity = 0.0
    /// How the sparsity term adds up each node's candidates; nil is `mean` (configs written
    /// before the setting existed decode to it).
    public var dstSparsityScope: DSTSparsityScope?
    /// What a DST Transit-cell sums during the search; nil is `weighted` (configs written before
    /// the setting existed decode to it).
    public var dstTransit: DSTTransit?
    /// Initial DST threshold logit beta_j (t_j = sigmoid(beta_j); 0 gives 0.5).
    public var thresholdInit = 0.0
    /// EnTranNAS-DST: at most this many (input, op) pairs survive per node, a cap against one node
    /// keeping most of its candidates (docs/method.md#a17); nil is no cap, the paper's rule.
    public var dstMaxInDegree: Int?
    /// EnTranNAS-DST: whether a threshold gets the loss gradient summed or averaged over its node's
    /// kept candidates (docs/method.md#a19); nil is `sum`, the plain gradient.
    public var dstThresholdPull: DSTThresholdPull?
    /// EnTranNAS: which edges an Engine-cell node sums (docs/method.md#a18); nil is `all`, the
    /// paper's mixture over every incoming edge.
    public var engineEdges: EngineEdges?

    /// The method's defaults on the standard DARTS space (docs/method.md#readings).
    public init(method: SearchMethod, primitives: [Primitive] = Primitive.darts, layers: Int = 8, initChannels: Int = 16,
                steps: Int = 4, inputChannels: Int = 1, imageSize: Int = 28, classes: Int = 10) {
        self.method = method
        self.layers = layers
        self.initChannels = initChannels
        self.steps = steps
        self.multiplier = steps
        self.inputChannels = inputChannels
        self.imageSize = imageSize
        self.classes = classes
        var ops = primitives
        if method == .entrannasDST { ops.removeAll { $0 == .none } }
        self.primitives = ops
        featureSharing = method.isEnTranNAS
        partialChannels = method == .pcDarts ? 4 : 1
        edgeNormalization = method == .pcDarts
        let reductions = SearchSpaceConfig.reductionIndices(layers: layers)
        if method.isEnTranNAS {
            let firstNormal = (0..<max(layers, 0)).first { !reductions.contains($0) } ?? 0  // a negative count: validate() refuses it
            engineCells = [firstNormal, reductions.first ?? 0].sorted()
        } else {
            // Every cell; none for a count validate() refuses, so it is not allocated first.
            engineCells = (0...SizeLimits.layers).contains(layers) ? Array(0..<layers) : []
        }
    }

    /// Reduction cells sit at layers/3 and 2*layers/3, as in DARTS.
    public static func reductionIndices(layers: Int) -> [Int] {
        layers < 3 ? [layers / 3] : [layers / 3, secondReductionIndex(layers: layers)]
    }
    /// DARTS' second reduction cell, 2*layers/3 (also the evaluation network's auxiliary-head
    /// cell), computed so that no layer count overflows it.
    public static func secondReductionIndex(layers: Int) -> Int { layers / 3 * 2 + layers % 3 * 2 / 3 }
    /// Indices of the reduction cells.
    public var reductionCells: [Int] { SearchSpaceConfig.reductionIndices(layers: layers) }
    /// Whether cell `cell` is a reduction cell.
    public func isReduction(_ cell: Int) -> Bool { reductionCells.contains(cell) }
    /// Whether cell `cell` is an Engine-cell.
    public func isEngine(_ cell: Int) -> Bool { engineCells.contains(cell) }
    /// Whether the network has the ImageNet stem.
    public var isImageNetStyle: Bool { style == .imagenet }
    /// Whether the method learns DST thresholds (EnTranNAS-DST).
    public var usesThresholds: Bool { method == .entrannasDST }
    /// Edges per cell: 2 + 3 + ... + (steps + 1), 14 for 4 steps.
    public var edgeCount: Int { EdgeIndex(steps: steps).edgeCount }

    /// Checks the configuration before anything is built; one line per problem.
    public func validate() throws {
        func fail(_ m: String) -> SearchConfigError { SearchConfigError(message: m) }
        guard layers >= 2 else { throw fail("--layers must be at least 2 (one normal and one reduction cell), got \(layers)") }
        guard steps >= 1 else { throw fail("--steps must be at least 1, got \(steps)") }
        for (flag, value, range) in [("--layers", layers, 2...SizeLimits.layers), ("--steps", steps, 1...SizeLimits.steps),
                                     ("--init-channels", initChannels, 2...SizeLimits.channels),
                                     ("--image-size", imageSize, 1...SizeLimits.imageSide),
                                     ("the dataset's channels", inputChannels, 1...SizeLimits.channels),
                                     ("the dataset's classes", classes, 2...SizeLimits.channels)] {
            if let message = SizeLimits.complaint(flag, value, range) { throw fail(message) }
        }
        // A multiplier above steps would concatenate the cell's inputs (another size) into its output.
        guard (1...steps).contains(multiplier) else {
            throw fail("a cell concatenates its last \(multiplier) nodes but has \(steps) (--steps); the multiplier must be 1...\(steps) "
                       + "(give steps to SearchSpaceConfig's initializer: setting it afterwards leaves the multiplier as it was)")
        }
        guard initChannels >= 2, initChannels % 2 == 0 else { throw fail("--init-channels must be an even number >= 2, got \(initChannels)") }
        guard temperature > 0, temperature.isFinite else { throw fail("--temperature must be a positive number, got \(temperature)") }
        if let end = temperatureEnd, !(end > 0 && end.isFinite) {
            throw fail("--temperature-end must be a positive number, got \(end)")
        }
        guard !primitives.isEmpty, primitives.contains(where: { $0 != .none }) else {
            throw fail("the candidate list needs at least one op other than 'none'")
        }
        guard partialChannels >= 1, initChannels % partialChannels == 0 else {
            throw fail("--partial-channels \(partialChannels) must divide --init-channels \(initChannels)")
        }
        let reductions = reductionCells
        let stemStrides = isImageNetStyle ? 3 : 0
        let size = (0..<(reductions.count + stemStrides)).reduce(imageSize) { s, _ in (s + 1) / 2 }
        guard size >= 1, imageSize >= (isImageNetStyle ? 32 : 4) else {
            throw fail("image size \(imageSize) is too small for \(stemStrides) stride-2 stem convolutions and \(reductions.count) reductions")
        }
        if isImageNetStyle && (stemMultiplier * initChannels) % 2 != 0 {
            throw fail("the ImageNet stem halves \(stemMultiplier) x --init-channels \(initChannels): make it even")
        }
        if let bad = engineCells.first(where: { $0 < 0 || $0 >= layers }) {
            throw fail("engine cell \(bad) is out of range 0..<\(layers)")
        }
        guard engineCells.contains(where: { !isReduction($0) }) else {
            throw fail("no Engine-cell among the normal cells: alpha_normal would get no gradient (add one to --engine-cells)")
        }
        guard engineCells.contains(where: { isReduction($0) }) else {
            throw fail("no Engine-cell among the reduction cells \(reductions): alpha_reduce would get no gradient (add one to --engine-cells)")
        }
        // sigmoid in float32, as libtorch computes it: 1 + exp(-b) rounds to 1 from b of about 16.6 on.
        guard thresholdInit.isFinite, 1 / (1 + Float(Foundation.exp(-thresholdInit))) < 1 else {
            throw fail("--threshold-init \(thresholdInit) gives a threshold t = sigmoid(\(thresholdInit)) of 1.0 in float32, which prunes every candidate: use a value below 16")
        }
        if engineEdges == .derived && method != .entrannas {
            throw fail("--engine-edges derived applies to --method entrannas (DST's Engine-cells already compute only what survives its thresholds)")
        }
        if let cap = dstMaxInDegree, cap < 1 {
            throw fail("--dst-max-in-degree must be at least 1 (every node keeps an input), got \(cap)")
        }
        guard dstSparsity >= 0, dstSparsity.isFinite else { throw fail("--dst-sparsity must be 0 (off) or a positive weight, got \(dstSparsity)") }
        if usesThresholds && dstNone == .excluded && primitives.contains(.none) {
            throw fail("EnTranNAS-DST with 'none' excluded must not list 'none' among the candidates")
        }
    }
}

/// A search setting that is out of range or inconsistent; one line naming the flag and the fix.
public struct SearchConfigError: DescribedError {
    /// The one line shown to the user.
    public let message: String
    /// The message.
    public var description: String { message }
}
