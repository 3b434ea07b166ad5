import Foundation

// The standard layers, with PyTorch's default initialisations so parameter statistics and
// counts match the reference implementations.

/// 2-D convolution. Weights use Kaiming-uniform with a=sqrt(5), PyTorch's default.
public final class Conv2d: Module, Layer, @unchecked Sendable {
    /// [out, in/groups, kh, kw].
    @Parameter public var weight: Tensor
    /// [out], or nil when the layer has no bias (DARTS convolutions have none): then no `bias`
    /// parameter exists, in the optimiser or in checkpoints.
    public let bias: Tensor?
    /// Whether the layer has a `bias`.
    public var hasBias: Bool { bias != nil }
    /// Per-dimension (height, width) settings, as in `torch.nn.Conv2d`; `groups` = in channels
    /// makes it depthwise.
    public let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int

    /// Square or rectangular kernels; `bias: false` before batch norm, as in DARTS.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true) throws {
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError.invalid("Conv2d: \(inChannels) input and \(outChannels) output channels are not divisible by \(groups) groups")
        }
        let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Foundation.sqrt(Double(fanIn))
        _weight = Parameter(wrappedValue: try Tensor.uniform([outChannels, inChannels / groups, kernelSize.0, kernelSize.1],
                                                         low: -bound, high: bound))
        self.bias = try bias ? Tensor.uniform([outChannels], low: -bound, high: bound).requiringGrad(true) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// Square kernel with the same stride, padding and dilation in both dimensions.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true) throws {
        try self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias)
    }

    /// `weight`, and `bias` only when the layer has one, so checkpoint keys match PyTorch's.
    public override func ownParameters() -> [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Convolves an NCHW batch. A convolution whose stride equals its dilation (DARTS' `dil_conv`
    /// on a reduction cell's input edges) reads only every stride-th pixel of the padded input, so
    /// it runs as the undilated convolution of the subsampled input: the same products and sums
    /// (docs/performance.md#dilated-convolutions), but a kernel that oneDNN computes 4-5x faster,
    /// backward pass included.
    ///
    /// On a CPU, a dilated convolution with stride 1 (DARTS' `dil_conv` elsewhere) runs as the
    /// undilated convolution of the input's d x d polyphase components, interleaved back: exact
    /// too, and 2-3x faster there, where oneDNN has fast kernels for undilated depthwise
    /// convolutions only.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if let sub = subsampled {
            return try conv2d(try x.slice(dim: 2, step: stride.0).slice(dim: 3, step: stride.1), weight: weight, bias: bias,
                              stride: (1, 1), padding: sub, dilation: (1, 1), groups: groups)
        }
        if let d = phases(of: x) { return try polyphase(x, d) }
        return try conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// The padding of the subsampled form when stride equals dilation (above 1) and divides the
    /// padding: input pixel s*(i + u) - p, for output i and kernel tap u, is pixel (i + u) - p/s of
    /// x[::s], and the output sizes agree (ceil((H + 2p)/s) - k + 1 both).
    var subsampled: (Int, Int)? {
        guard stride == dilation, stride.0 > 1 || stride.1 > 1,
              padding.0 % stride.0 == 0, padding.1 % stride.1 == 0 else { return nil }
        return (padding.0 / stride.0, padding.1 / stride.1)
    }

    /// The dilation d when `polyphase` computes this convolution on x: a CPU batch, stride 1,
    /// the same dilation d > 1 in both dimensions, dividing the padding and the input's size.
    public func phases(of x: Tensor) -> Int? {
        let d = dilation.0
        guard stride == (1, 1), dilation.1 == d, d > 1, padding.0 % d == 0, padding.1 % d == 0,
              x.rank == 4, x.size(2) % d == 0, x.size(3) % d == 0, !x.device.isCUDA else { return nil }
        return d
    }

    /// Output pixel d*i + r (per dimension) reads input pixels d*(i + u - p/d) + r: the undilated
    /// convolution, padding p/d, of component r = x[r::d]. The d*d components go into the batch
    /// in one copy (`PolyphaseComponents`, which convolutions of one input with the same dilation
    /// can share), and the outputs come back interleaved in another, each in x's memory order, so
    /// channels-last stays channels-last.
    func polyphase(_ x: Tensor, _ d: Int) throws -> Tensor { try self(try PolyphaseComponents(x, dilation: d)) }

    /// The convolution of the input that `components` were taken from; `components.dilation` must
    /// be this layer's and `phases(of:)` must accept that input.
    public func callAsFunction(_ components: PolyphaseComponents) throws -> Tensor {
        precondition(components.dilation == dilation.0 && stride == (1, 1), "components of another dilation")
        let d = components.dilation, b = components.batch
        let y = try conv2d(components.tensor, weight: weight, bias: bias, stride: (1, 1),
                           padding: (padding.0 / d, padding.1 / d), dilation: (1, 1), groups: groups)
        let (o, ph, pw) = (y.size(1), y.size(2), y.size(3))  // output size d*ph x d*pw
        return try components.channelsLast
            ? y.permute([0, 2, 3, 1]).reshape([d, d, b, ph, pw, o]).permute([2, 3, 0, 4, 1, 5]).reshape([b, d * ph, d * pw, o])
                .permute([0, 3, 1, 2])
            : y.reshape([d, d, b, o, ph, pw]).permute([2, 3, 4, 0, 5, 1]).reshape([b, o, d * ph, d * pw])
    }
}

/// Fully connected layer, PyTorch's default initialisation.
public final class Linear: Module, Layer, @unchecked Sendable {
    /// [out, in].
    @Parameter public var weight: Tensor
    /// [out], or nil when the layer has no bias (then no `bias` parameter exists).
    public let bias: Tensor?
    /// Whether the layer has a `bias`.
    public var hasBias: Bool { bias != nil }

    /// Weights and bias uniform in +-1/sqrt(inFeatures), PyTorch's default.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        let bound = 1 / Foundation.sqrt(Double(inFeatures))
        _weight = Parameter(wrappedValue: try Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound))
        self.bias = try bias ? Tensor.uniform([outFeatures], low: -bound, high: bound).requiringGrad(true) : nil
    }

    /// `weight`, and `bias` only when the layer has one.
    public override func ownParameters() -> [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Maps [N, in] to [N, out].
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try linear(x, weight: weight, bias: bias) }
}

/// Batch normalisation over channels. `affine: false` (the DARTS search setting) has no weight
/// and bias; running statistics are kept in both cases, with PyTorch's momentum 0.1.
public final class BatchNorm2d: Module, Layer, @unchecked Sendable {
    /// Per-channel scale gamma; nil when not affine (then no `weight` parameter exists).
    public let weight: Tensor?
    /// Per-channel shift beta; nil when not affine (then no `bias` parameter exists).
    public let bias: Tensor?
    /// Running per-channel mean, used in inference mode.
    @Buffer public var runningMean: Tensor
    /// Running per-channel variance, used in inference mode.
    @Buffer public var runningVar: Tensor
    /// Training batches seen (int64 scalar), saved because PyTorch saves it.
    @Buffer public var numBatchesTracked: Tensor
    /// Whether the layer learns `weight` and `bias` (false in the search network).
    public var affine: Bool { weight != nil }
    /// Running-statistics momentum; a caller re-estimating statistics sets 1/(n+1) per batch
    /// for an exact cumulative average (PyTorch's momentum=None).
    public var momentum: Double
    /// Added to the variance before the square root (default 1e-5).
    public let eps: Double

    /// Running mean 0 and variance 1; weight 1 and bias 0 when affine.
    public init(_ channels: Int, affine: Bool = true, momentum: Double = 0.1, eps: Double = 1e-5) throws {
        weight = try affine ? Tensor.ones([channels]).requiringGrad(true) : nil
        bias = try affine ? Tensor.zeros([channels]).requiringGrad(true) : nil
        _runningMean = Buffer(wrappedValue: try Tensor.zeros([channels]))
        _runningVar = Buffer(wrappedValue: try Tensor.ones([channels]))
        _numBatchesTracked = Buffer(wrappedValue: try Tensor.zeros([], dtype: .int64))
        self.momentum = momentum
        self.eps = eps
    }

    /// `weight` and `bias` when affine, none otherwise.
    public override func ownParameters() -> [(String, Tensor)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }
    /// Running statistics under PyTorch's names (`running_mean`, `running_var`, `num_batches_tracked`).
    public override func ownBuffers() -> [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    /// Normalises an NCHW batch: batch statistics in training mode (updating the running ones),
    /// running statistics otherwise.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if isTraining { try withNoGrad { try numBatchesTracked.add_(try Tensor.ones([], dtype: .int64).to(numBatchesTracked.device)) } }
        return try batchNorm(x, weight: weight, bias: bias, runningMean: runningMean,
                         runningVar: runningVar, training: isTraining, momentum: momentum, eps: eps)
    }

    /// Forgets the running statistics (before recomputing them on training data).
    public func resetRunningStats() throws {
        try withNoGrad {
            try runningMean.zero_()
            try runningVar.fill_(1)
            try numBatchesTracked.zero_()
        }
    }
}

/// max(x, 0) as a layer.
public final class ReLU: Module, Layer, @unchecked Sendable {
    /// A parameter-free layer.
    public override init() {}
    /// Applies max(x, 0) elementwise.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.relu() }
}

/// Returns its input unchanged (the stride-1 `skip_connect`).
public final class Identity: Module, Layer, @unchecked Sendable {
    /// A parameter-free layer.
    public override init() {}
    /// Returns `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}

/// Max pooling over square windows.
public final class MaxPool2d: Module, Layer, @unchecked Sendable {
    /// Window size, stride (defaults to the window) and zero padding, in pixels.
    public let kernelSize: Int, stride: Int, padding: Int
    /// Stride nil means `kernelSize`, as in PyTorch.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }
    /// Pools an NCHW batch.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling over square windows; DARTS' `avg_pool_3x3` excludes padding from the average.
public final class AvgPool2d: Module, Layer, @unchecked Sendable {
    /// Window size, stride (defaults to the window), padding, and whether padding counts in the average.
    public let kernelSize: Int, stride: Int, padding: Int, countIncludePad: Bool
    /// Stride nil means `kernelSize`; `countIncludePad` defaults to false, as DARTS uses it.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
    }
    /// Pools an NCHW batch.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

/// Zeroes elements with probability `p` in training mode; the identity in inference mode.
public final class Dropout: Module, Layer, @unchecked Sendable {
    /// Drop probability, in [0, 1).
    public let p: Double
    /// A layer dropping with probability `p`.
    public init(_ p: Double) { self.p = p }
    /// Applies dropout when training.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try dropout(x, p: p, training: isTraining) }
}

/// Layers applied in order; children are named `0`, `1`, ... as in PyTorch.
public final class Sequential: Module, Layer, @unchecked Sendable {
    /// The layers, in the order they run.
    public let layers: [any Layer]
    /// Layers from an array.
    public init(_ layers: [any Layer]) { self.layers = layers }
    /// Layers as arguments.
    public init(_ layers: any Layer...) { self.layers = layers }
    /// The layers, named by position (`0`, `1`, ...).
    public override func namedChildren() -> [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
    /// Runs `x` through every layer in turn.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1($0) }
    }
    /// Runs `x` through the layers from index `first` on (what the earlier ones made elsewhere).
    public func callAsFunction(_ x: Tensor, from first: Int) throws -> Tensor {
        try layers[first...].reduce(x) { try $1($0) }
    }
}

/// The d x d polyphase components x[r::d, c::d] of an NCHW batch, stacked along the batch
/// dimension (component-major) in one copy in x's memory order: what `Conv2d` convolves for a
/// dilated convolution with stride 1 on a CPU.
public struct PolyphaseComponents {
    /// [d * d * batch, C, H/d, W/d].
    public let tensor: Tensor
    /// The dilation d, and x's batch size and layout.
    public let dilation: Int, batch: Int, channelsLast: Bool

    /// The components of x (H and W divisible by d).
    public init(_ x: Tensor, dilation d: Int) throws {
        let (b, c, h, w) = (x.size(0), x.size(1), x.size(2), x.size(3))
        precondition(h % d == 0 && w % d == 0, "\(h)x\(w) is not divisible by \(d)")
        channelsLast = x.isContiguous(.channelsLast) && !x.isContiguous()
        let split = try x.reshape([b, c, h / d, d, w / d, d])
        tensor = try channelsLast
            ? split.permute([3, 5, 0, 2, 4, 1]).reshape([d * d * b, h / d, w / d, c]).permute([0, 3, 1, 2])
            : split.permute([3, 5, 0, 1, 2, 4]).reshape([d * d * b, c, h / d, w / d])
        dilation = d
        batch = b
    }
}
