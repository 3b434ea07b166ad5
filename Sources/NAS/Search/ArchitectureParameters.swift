import Torch

/// The architecture parameters, shared by every cell of a type (docs/method.md#engine-transit): op logits alpha per
/// edge, PC-DARTS edge logits, and EnTranNAS-DST threshold logits beta_j per node. They live in
/// their own module (`arch.*` names) so they are never in the weight optimizer or its decay.
public final class ArchitectureParameters: Module, @unchecked Sendable {
    /// Op logits alpha of the normal cell, [edges, ops].
    @Parameter public var alphas_normal: Tensor
    /// Op logits alpha of the reduction cell, [edges, ops].
    @Parameter public var alphas_reduce: Tensor
    /// PC-DARTS edge logits of the normal cell, [edges]; empty for other methods.
    @Parameter public var betas_normal: Tensor
    /// PC-DARTS edge logits of the reduction cell, [edges]; empty for other methods.
    @Parameter public var betas_reduce: Tensor
    /// EnTranNAS-DST threshold logits beta_j of the normal cell, [steps], t_j = sigmoid(beta_j);
    /// empty for other methods.
    @Parameter public var thresholds_normal: Tensor
    /// EnTranNAS-DST threshold logits beta_j of the reduction cell, [steps]; empty for other methods.
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

    /// Only the parameters the method uses, so checkpoints and the architect's optimizer hold no
    /// empty tensors.
    public override func ownParameters() -> [(String, Tensor)] {
        var out = [("alphas_normal", alphas_normal), ("alphas_reduce", alphas_reduce)]
        if hasEdgeBetas { out += [("betas_normal", betas_normal), ("betas_reduce", betas_reduce)] }
        if hasThresholds { out += [("thresholds_normal", thresholds_normal), ("thresholds_reduce", thresholds_reduce)] }
        return out
    }

    /// Op logits alpha of one cell type.
    public func alphas(_ type: Genotype.CellType) -> Tensor { type == .normal ? alphas_normal : alphas_reduce }
    /// PC-DARTS edge logits of one cell type; nil for other methods.
    public func edgeBetas(_ type: Genotype.CellType) -> Tensor? { hasEdgeBetas ? (type == .normal ? betas_normal : betas_reduce) : nil }
    /// EnTranNAS-DST threshold logits of one cell type; nil for other methods.
    public func thresholds(_ type: Genotype.CellType) -> Tensor? {
        hasThresholds ? (type == .normal ? thresholds_normal : thresholds_reduce) : nil
    }
}
