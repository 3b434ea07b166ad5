import Torch

/// The super-net (docs/method.md#search-space): a stem (CIFAR style, or PC-DARTS' three stride-2
/// convolutions for ImageNet), `layers` cells with reductions at layers/3 and 2*layers/3, global
/// pooling and a classifier. Each cell is an `EngineCell` or a
/// `TransitCell`; all cells of a type share the architecture parameters in `arch`.
public final class SearchNetwork: Module, Layer, @unchecked Sendable {
    /// The search space and method this network was built for.
    public let config: SearchSpaceConfig
    /// CIFAR style: 3x3 convolution to stemMultiplier*C channels, then BN.
    public let stem: Sequential?
    /// ImageNet style: Conv3x3 s2 -> BN -> ReLU -> Conv3x3 s2 -> BN, to stemMultiplier*C channels.
    public let stem0: Sequential?
    /// ImageNet style: ReLU -> Conv3x3 s2 -> BN; the first cell reduces stem0's output to match.
    public let stem1: Sequential?
    /// The `layers` cells, in order: Engine-cells and Transit-cells as `config` places them.
    public let cells: [SearchCell]
    /// Linear from the last cell's channels to the classes, after global average pooling.
    public let classifier: Linear
    /// The architecture parameters, registered under `arch.*`.
    public let arch: ArchitectureParameters
    /// The current derivation, redone after every architecture step (docs/method.md#a11).
    public private(set) var derived: (normal: DerivedCell, reduce: DerivedCell)
    /// The current derived genotype, redone with `derived`.
    public private(set) var genotype: Genotype
    /// When set, every cell (Engine-cells too) runs only the derived sub-graph: the derived
    /// network with inherited weights, for the consistency report.
    public var runsDerivedOnly = false
    /// Cells (by index) that run their derived sub-graph, unweighted, while the others run as in
    /// the search: the consistency report's per-Engine-cell ablation.
    public var derivedOnlyCells: Set<Int> = []
    /// The Engine-cells' softmax temperature now: `config.temperature`, or the annealed value the
    /// search sets each epoch (`SearchSpaceConfig.temperature(epoch:of:)`).
    public var temperature: Double
    /// Whether `SearchSpaceConfig.dstMaxInDegree` applies now: the search turns it on with the
    /// first architecture epoch, so that the warm-up trains every candidate as without the cap
    /// rather than only the cap's pick from the initial alphas (docs/method.md#a17).
    public var capsInDegree = true
    /// The edges the derived cells keep, by cell type: what an Engine-cell node sums with
    /// `--engine-edges derived` (docs/method.md#a18).
    public private(set) var derivedEdges: (normal: Set<Int>, reduce: Set<Int>) = ([], [])

    /// Builds the super-net for `config` and derives its first genotype; throws when `config` is invalid.
    public init(config: SearchSpaceConfig) throws {
        try config.validate()
        self.config = config
        temperature = config.temperature
        let c = config.initChannels
        var cCurrent = config.stemMultiplier * c
        if config.isImageNetStyle {
            stem = nil
            stem0 = Sequential(try Conv2d(config.inputChannels, cCurrent / 2, kernelSize: 3, stride: 2, padding: 1, bias: false),
                               try BatchNorm2d(cCurrent / 2), ReLU(),
                               try Conv2d(cCurrent / 2, cCurrent, kernelSize: 3, stride: 2, padding: 1, bias: false),
                               try BatchNorm2d(cCurrent))
            stem1 = Sequential(ReLU(), try Conv2d(cCurrent, cCurrent, kernelSize: 3, stride: 2, padding: 1, bias: false),
                               try BatchNorm2d(cCurrent))
        } else {
            stem = Sequential(try Conv2d(config.inputChannels, cCurrent, kernelSize: 3, padding: 1, bias: false),
                              try BatchNorm2d(cCurrent, affine: true))
            stem0 = nil
            stem1 = nil
        }
        var cPrevPrev = cCurrent, cPrev = cCurrent
        cCurrent = c
        var reductionPrev = config.isImageNetStyle
        var cells: [SearchCell] = []
        for i in 0..<config.layers {
            let reduction = config.isReduction(i)
            if reduction { cCurrent *= 2 }
            let kind: SearchCell.Type = config.isEngine(i) ? EngineCell.self : TransitCell.self
            cells.append(try kind.init(config: config, cPrevPrev: cPrevPrev, cPrev: cPrev, channels: cCurrent,
                                   reduction: reduction, reductionPrev: reductionPrev))
            reductionPrev = reduction
            cPrevPrev = cPrev
            cPrev = config.multiplier * cCurrent
        }
        self.cells = cells
        classifier = try Linear(cPrev, config.classes)
        arch = try ArchitectureParameters(config: config)
        let placeholder = DerivedCell(connections: [], primitives: [])
        derived = (placeholder, placeholder)
        genotype = Genotype(normal: [], normalConcat: [], reduce: [], reduceConcat: [])
        super.init()
        try rederive()
    }

    /// The network weights w (everything but `arch.*`): what the SGD optimizer updates.
    /// Cached: the structure never changes, and reflection is not free.
    public func weightParameters() -> [(String, Tensor)] {
        if let cached = cachedWeights { return cached }
        let w = namedParameters().filter { !$0.0.hasPrefix("arch.") }
        cachedWeights = w
        return w
    }
    private var cachedWeights: [(String, Tensor)]?
    /// The architecture parameters: what the architecture optimizer updates.
    public func architectureParameters() -> [(String, Tensor)] { arch.namedParameters(prefix: "arch.") }

    /// Both cell types' weights for one forward pass (in the autograd graph).
    public func cellWeights() throws -> (normal: CellWeights, reduce: CellWeights) {
        (try CellWeights.compute(arch: arch, type: .normal, config: config, temperature: temperature, capsInDegree: capsInDegree),
         try CellWeights.compute(arch: arch, type: .reduce, config: config, temperature: temperature, capsInDegree: capsInDegree))
    }

    /// Class logits [N, classes] for an NCHW batch.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let needsWeights = !runsDerivedOnly && cells.contains { $0 is EngineCell }
        let weights = try needsWeights ? cellWeights() : nil
        var s0: Tensor, s1: Tensor
        if let stem0, let stem1 {
            s0 = try stem0(x)
            s1 = try stem1(s0)
        } else {
            s0 = try stem!(x)
            s1 = s0
        }
        for (index, cell) in cells.enumerated() {
            let derivedOnly = runsDerivedOnly || derivedOnlyCells.contains(index)
            // A named span in a profile (--profile), so a trace shows Engine- and Transit-cells apart.
            let next: Tensor = try Profiler.range(cell is EngineCell && !derivedOnly ? "EngineCell" : "TransitCell") {
                if !derivedOnly, let engine = cell as? EngineCell {
                    let kept = config.engineEdges == .derived ? (cell.reduction ? derivedEdges.reduce : derivedEdges.normal) : nil
                    return try engine(s0, s1, weights: cell.reduction ? weights!.reduce : weights!.normal, keptEdges: kept)
                }
                return try cell.derivedForward(s0, s1, derived: cell.reduction ? derived.reduce : derived.normal,
                                               weighted: !derivedOnly)
            }
            s0 = s1
            s1 = next
        }
        return try classifier(try adaptiveAvgPool2d(s1, outputSize: (1, 1)).flatten())
    }

    /// Runs `body` and puts every buffer (batch-norm running statistics) back as it was, for
    /// forward passes that must not count as training (DARTS' unrolled copy, BN re-estimation).
    public func preservingBuffers<T>(_ body: () throws -> T) throws -> T {
        let buffers = namedBuffers().map(\.1)
        let saved = try withNoGrad { try buffers.map { try $0.clone() } }
        let result = Result { try body() }
        try withNoGrad { for (b, s) in zip(buffers, saved) { try b.copy_(s) } }
        return try result.get()
    }

    /// Derives the discrete cells from the current architecture parameters, without gradient,
    /// with the method's rule: DARTS top-2, PC-DARTS edge-weighted top-2, or DST's thresholds.
    public func rederive() throws {
        let (normal, reduce) = try withNoGrad { try cellWeights() }
        let rule: DerivationRule
        if config.usesThresholds {
            rule = .threshold(normalFallback: normal.probabilities, reduceFallback: reduce.probabilities)
        } else if let n = normal.edgeValues, let r = reduce.edgeValues {
            rule = .pcDarts(normalEdgeWeights: n, reduceEdgeWeights: r)
        } else {
            rule = .darts()
        }
        genotype = try deriveGenotype(normalWeights: normal.values, reduceWeights: reduce.values,
                                      primitives: config.primitives, steps: config.steps,
                                      multiplier: config.multiplier, rule: rule)
        let layout = EdgeIndex(steps: config.steps)
        func edges(_ nodes: [[Connection]]) -> Set<Int> {
            Set(nodes.enumerated().flatMap { step, node in node.map { layout.edge(step: step, input: $0.input) } })
        }
        derivedEdges = (edges(genotype.normal), edges(genotype.reduce))
        let weighted = config.usesThresholds && (config.dstTransit ?? .weighted) == .weighted
        derived = (DerivedCell(connections: genotype.normal, primitives: config.primitives,
                               transitWeights: weighted ? normal.values : nil),
                   DerivedCell(connections: genotype.reduce, primitives: config.primitives,
                               transitWeights: weighted ? reduce.values : nil))
    }
}
