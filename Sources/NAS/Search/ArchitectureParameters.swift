import Torch

/// The architecture parameters, shared by every cell of a type (docs/method.md#engine-transit): op logits alpha per
/// edge, PC-DARTS edge logits, and EnTranNAS-DST threshold logits beta_j per node. They live in
/// their own module (`arch.*` names) so they are never in the weight optimizer or its decay.
public final class ArchitectureParameters: Module {
    @Parameter public var alphas_normal: Tensor
    @Parameter public var alphas_reduce: Tensor
    @Parameter public var betas_normal: Tensor
    @Parameter public var betas_reduce: Tensor
    @Parameter public var thresholds_normal: Tensor
    @Parameter public var thresholds_reduce: Tensor
    let hasEdgeBetas: Bool
    let hasThresholds: Bool

    /// DARTS initialisation: 1e-3 * N(0, 1) for alphas and edge betas; thresholds at `thresholdInit`.
    public init(config: SearchSpaceConfig) throws {
        let e = config.edgeCount, k = config.primitives.count
        _alphas_normal = Parameter(wrappedValue: try Tensor.randn([e, k]) * 1e-3)
        _alphas_reduce = Parameter(wrappedValue: try Tensor.randn([e, k]) * 1e-3)
        hasEdgeBetas = config.edgeNormalization
        hasThresholds = config.usesThresholds
        _betas_normal = Parameter(wrappedValue: try hasEdgeBetas ? Tensor.randn([e]) * 1e-3 : Tensor.zeros([0]))
        _betas_reduce = Parameter(wrappedValue: try hasEdgeBetas ? Tensor.randn([e]) * 1e-3 : Tensor.zeros([0]))
        _thresholds_normal = Parameter(wrappedValue: try Tensor.full([hasThresholds ? config.steps : 0], config.thresholdInit))
        _thresholds_reduce = Parameter(wrappedValue: try Tensor.full([hasThresholds ? config.steps : 0], config.thresholdInit))
    }

    public override func ownParameters() -> [(String, Tensor)] {
        var out = [("alphas_normal", alphas_normal), ("alphas_reduce", alphas_reduce)]
        if hasEdgeBetas { out += [("betas_normal", betas_normal), ("betas_reduce", betas_reduce)] }
        if hasThresholds { out += [("thresholds_normal", thresholds_normal), ("thresholds_reduce", thresholds_reduce)] }
        return out
    }

    public func alphas(_ type: Genotype.CellType) -> Tensor { type == .normal ? alphas_normal : alphas_reduce }
    public func edgeBetas(_ type: Genotype.CellType) -> Tensor? { hasEdgeBetas ? (type == .normal ? betas_normal : betas_reduce) : nil }
    public func thresholds(_ type: Genotype.CellType) -> Tensor? {
        hasThresholds ? (type == .normal ? thresholds_normal : thresholds_reduce) : nil
    }
}
