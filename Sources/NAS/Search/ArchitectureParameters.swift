import Torch

/// The architecture parameters, shared by every cell of a type (docs/method.md#engine-transit): op logits alpha per
/// edge, PC-DARTS edge logits, and EnTranNAS-DST threshold logits beta_j per node. They live in
/// their own module (`arch.*` names) so they are never in the weight optimizer or its decay.
public final class ArchitectureParameters: Module, @unchecked Sendable {
    /// Op logits alpha of the normal cell, [edges, ops].
    @Parameter public var alphasNormal: Tensor
    /// Op logits alpha of the reduction cell, [edges, ops].
    @Parameter public var alphasReduce: Tensor
    /// PC-DARTS edge logits of the normal cell, [edges]; empty for other methods.
    @Parameter public var betasNormal: Tensor
    /// PC-DARTS edge logits of the reduction cell, [edges]; empty for other methods.
    @Parameter public var betasReduce: Tensor
    /// EnTranNAS-DST threshold logits beta_j of the normal cell, [steps], t_j = sigmoid(beta_j);
    /// empty for other methods.
    @Parameter public var thresholdsNormal: Tensor
    /// EnTranNAS-DST threshold logits beta_j of the reduction cell, [steps]; empty for other methods.
    @Parameter public var thresholdsReduce: Tensor
    let hasEdgeBetas: Bool
    let hasThresholds: Bool

    /// DARTS initialisation: 1e-3 * N(0, 1) for alphas and edge betas; thresholds at `thresholdInit`.
    public init(config: SearchSpaceConfig) throws {
        let e = config.edgeCount, k = config.primitives.count
        _alphasNormal = Parameter(wrappedValue: try Tensor.randn([e, k]) * 1e-3)
        _alphasReduce = Parameter(wrappedValue: try Tensor.randn([e, k]) * 1e-3)
        hasEdgeBetas = config.edgeNormalization
        hasThresholds = config.usesThresholds
        _betasNormal = Parameter(wrappedValue: try hasEdgeBetas ? Tensor.randn([e]) * 1e-3 : Tensor.zeros([0]))
        _betasReduce = Parameter(wrappedValue: try hasEdgeBetas ? Tensor.randn([e]) * 1e-3 : Tensor.zeros([0]))
        _thresholdsNormal = Parameter(wrappedValue: try Tensor.full([hasThresholds ? config.steps : 0], config.thresholdInit))
        _thresholdsReduce = Parameter(wrappedValue: try Tensor.full([hasThresholds ? config.steps : 0], config.thresholdInit))
    }

    /// Only the parameters the method uses, so checkpoints and the architect's optimizer hold no
    /// empty tensors. The names stay DARTS' (`alphas_normal`, ...), so checkpoints and exported
    /// files read as before and as the reference code's.
    public override func ownParameters() -> [(String, Tensor)] {
        var out = [("alphas_normal", alphasNormal), ("alphas_reduce", alphasReduce)]
        if hasEdgeBetas { out += [("betas_normal", betasNormal), ("betas_reduce", betasReduce)] }
        if hasThresholds { out += [("thresholds_normal", thresholdsNormal), ("thresholds_reduce", thresholdsReduce)] }
        return out
    }

    /// Op logits alpha of one cell type.
    public func alphas(_ type: Genotype.CellType) -> Tensor { type == .normal ? alphasNormal : alphasReduce }
    /// PC-DARTS edge logits of one cell type; nil for other methods.
    public func edgeBetas(_ type: Genotype.CellType) -> Tensor? { hasEdgeBetas ? (type == .normal ? betasNormal : betasReduce) : nil }
    /// EnTranNAS-DST threshold logits of one cell type; nil for other methods.
    public func thresholds(_ type: Genotype.CellType) -> Tensor? {
        hasThresholds ? (type == .normal ? thresholdsNormal : thresholdsReduce) : nil
    }

    // The names these properties had before they were camelCased, for code not yet moved over.

    /// The former name of `alphasNormal`.
    @available(*, deprecated, renamed: "alphasNormal")
    public var alphas_normal: Tensor {
        get { alphasNormal }
        set { alphasNormal = newValue }
    }
    /// The former name of `alphasReduce`.
    @available(*, deprecated, renamed: "alphasReduce")
    public var alphas_reduce: Tensor {
        get { alphasReduce }
        set { alphasReduce = newValue }
    }
    /// The former name of `betasNormal`.
    @available(*, deprecated, renamed: "betasNormal")
    public var betas_normal: Tensor {
        get { betasNormal }
        set { betasNormal = newValue }
    }
    /// The former name of `betasReduce`.
    @available(*, deprecated, renamed: "betasReduce")
    public var betas_reduce: Tensor {
        get { betasReduce }
        set { betasReduce = newValue }
    }
    /// The former name of `thresholdsNormal`.
    @available(*, deprecated, renamed: "thresholdsNormal")
    public var thresholds_normal: Tensor {
        get { thresholdsNormal }
        set { thresholdsNormal = newValue }
    }
    /// The former name of `thresholdsReduce`.
    @available(*, deprecated, renamed: "thresholdsReduce")
    public var thresholds_reduce: Tensor {
        get { thresholdsReduce }
        set { thresholdsReduce = newValue }
    }
}
