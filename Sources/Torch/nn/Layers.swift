import Foundation

// The standard layers, with PyTorch's default initialisations so parameter statistics and
// counts match the reference implementations.

/// 2-D convolution. Weights use Kaiming-uniform with a=sqrt(5), PyTorch's default.
public final class Conv2d: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    public let hasBias: Bool
    public let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true) throws {
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError.invalid("Conv2d: \(inChannels) input and \(outChannels) output channels are not divisible by \(groups) groups")
        }
        let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Foundation.sqrt(Double(fanIn))
        _weight = Parameter(wrappedValue: try Tensor.uniform([outChannels, inChannels / groups, kernelSize.0, kernelSize.1],
                                                         low: -bound, high: bound))
        _bias = Parameter(wrappedValue: try bias ? Tensor.uniform([outChannels], low: -bound, high: bound) : Tensor.zeros([0]))
        if !bias { try _bias.wrappedValue.requiringGrad(false) }
        hasBias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true) throws {
        try self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias)
    }

    public override func ownParameters() -> [(String, Tensor)] {
        hasBias ? [("weight", weight), ("bias", bias)] : [("weight", weight)]
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv2d(x, weight: weight, bias: hasBias ? bias : nil, stride: stride, padding: padding, dilation: dilation,
               groups: groups)
    }
}

/// Fully connected layer, PyTorch's default initialisation.
public final class Linear: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    public let hasBias: Bool

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        let bound = 1 / Foundation.sqrt(Double(inFeatures))
        _weight = Parameter(wrappedValue: try Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound))
        _bias = Parameter(wrappedValue: try bias ? Tensor.uniform([outFeatures], low: -bound, high: bound) : Tensor.zeros([0]))
        if !bias { try _bias.wrappedValue.requiringGrad(false) }
        hasBias = bias
    }

    public override func ownParameters() -> [(String, Tensor)] {
        hasBias ? [("weight", weight), ("bias", bias)] : [("weight", weight)]
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try linear(x, weight: weight, bias: hasBias ? bias : nil) }
}

/// Batch normalisation over channels. `affine: false` (the DARTS search setting) has no weight
/// and bias; running statistics are kept in both cases, with PyTorch's momentum 0.1.
public final class BatchNorm2d: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVar: Tensor
    @Buffer public var numBatchesTracked: Tensor
    public let affine: Bool
    /// Running-statistics momentum; a caller re-estimating statistics sets 1/(n+1) per batch
    /// for an exact cumulative average (PyTorch's momentum=None).
    public var momentum: Double
    public let eps: Double

    public init(_ channels: Int, affine: Bool = true, momentum: Double = 0.1, eps: Double = 1e-5) throws {
        _weight = Parameter(wrappedValue: try Tensor.ones([affine ? channels : 0]))
        _bias = Parameter(wrappedValue: try Tensor.zeros([affine ? channels : 0]))
        if !affine {
            try _weight.wrappedValue.requiringGrad(false)
            try _bias.wrappedValue.requiringGrad(false)
        }
        _runningMean = Buffer(wrappedValue: try Tensor.zeros([channels]))
        _runningVar = Buffer(wrappedValue: try Tensor.ones([channels]))
        _numBatchesTracked = Buffer(wrappedValue: try Tensor.zeros([], dtype: .int64))
        self.affine = affine
        self.momentum = momentum
        self.eps = eps
    }

    public override func ownParameters() -> [(String, Tensor)] { affine ? [("weight", weight), ("bias", bias)] : [] }
    public override func ownBuffers() -> [(String, Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if isTraining { try withNoGrad { try numBatchesTracked.add_(try Tensor.ones([], dtype: .int64)) } }
        return try batchNorm(x, weight: affine ? weight : nil, bias: affine ? bias : nil, runningMean: runningMean,
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

public final class ReLU: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.relu() }
}

public final class Identity: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}

public final class MaxPool2d: Module, Layer {
    public let kernelSize: Int, stride: Int, padding: Int
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding) }
}

public final class AvgPool2d: Module, Layer {
    public let kernelSize: Int, stride: Int, padding: Int, countIncludePad: Bool
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

public final class Dropout: Module, Layer {
    public let p: Double
    public init(_ p: Double) { self.p = p }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try dropout(x, p: p, training: isTraining) }
}

/// Layers applied in order; children are named `0`, `1`, ... as in PyTorch.
public final class Sequential: Module, Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public init(_ layers: any Layer...) { self.layers = layers }
    public override func namedChildren() -> [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1($0) }
    }
}
