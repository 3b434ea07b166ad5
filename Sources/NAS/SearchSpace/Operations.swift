import Torch

// The candidate operations, built exactly as DARTS' `operations.py` builds them (ReLU-conv-BN
// order, bias-free convolutions, separable convolutions applied twice), so parameter counts and
// names can be checked against the reference. `affine` is false in the search network.

/// An op whose first layer is a ReLU (DARTS' ReLU-conv-BN family). A search cell computes the
/// ReLU of a state once and gives it to every such op reading that state: the same forward
/// numbers, one ReLU (and one ReLU backward) instead of one per op
/// (docs/performance.md#shared-relu).
public protocol ReLUFirst: Layer {
    /// The op's layers, the first of them a ReLU.
    var op: Sequential { get }
}

extension ReLUFirst {
    /// The op's output for x, given relu(x): its layers after the ReLU.
    public func callAsFunction(activated r: Tensor) throws -> Tensor { try op(r, from: 1) }
}

/// ReLU -> k x k convolution -> BN (DARTS `ReLUConvBN`; also the cell preprocessing).
public final class ReLUConvBN: Module, ReLUFirst, @unchecked Sendable {
    /// The three layers, named `op.0` to `op.2` as in DARTS.
    public let op: Sequential
    /// `cIn` to `cOut` channels; `affine: false` in the search network.
    public init(_ cIn: Int, _ cOut: Int, kernelSize: Int, stride: Int, padding: Int, affine: Bool) throws {
        op = Sequential(ReLU(), try Conv2d(cIn, cOut, kernelSize: kernelSize, stride: stride, padding: padding, bias: false),
                        try BatchNorm2d(cOut, affine: affine))
    }
    /// Runs `op`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try op(x) }
}

/// ReLU -> dilated depthwise conv -> 1x1 conv -> BN (DARTS `DilConv`, applied once).
public final class DilConv: Module, ReLUFirst, @unchecked Sendable {
    /// The four layers, named `op.0` to `op.3` as in DARTS.
    public let op: Sequential
    /// `cIn` to `cOut` channels; the depthwise convolution has the given dilation (2 for `dil_conv_3x3`).
    public init(_ cIn: Int, _ cOut: Int, kernelSize: Int, stride: Int, padding: Int, dilation: Int, affine: Bool) throws {
        op = Sequential(ReLU(),
                        try Conv2d(cIn, cIn, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                               groups: cIn, bias: false),
                        try Conv2d(cIn, cOut, kernelSize: 1, bias: false),
                        try BatchNorm2d(cOut, affine: affine))
    }
    /// Runs `op`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try op(x) }

    /// The dilated depthwise convolution, `op.1`.
    public var depthwise: Conv2d { op.layers[1] as! Conv2d }

    /// The op's output given the polyphase components of relu(x) (see `Conv2d.phases(of:)`), one
    /// copy that the other dilated ops reading the same state share.
    public func callAsFunction(activated components: PolyphaseComponents) throws -> Tensor {
        try op(try depthwise(components), from: 2)
    }
}

/// Two stacked depthwise-separable blocks, the first carrying the stride (DARTS `SepConv`).
public final class SepConv: Module, ReLUFirst, @unchecked Sendable {
    /// The eight layers, named `op.0` to `op.7` as in DARTS.
    public let op: Sequential
    /// `cIn` to `cOut` channels; only the first depthwise convolution has the stride.
    public init(_ cIn: Int, _ cOut: Int, kernelSize: Int, stride: Int, padding: Int, affine: Bool) throws {
        op = Sequential(ReLU(),
                        try Conv2d(cIn, cIn, kernelSize: kernelSize, stride: stride, padding: padding, groups: cIn, bias: false),
                        try Conv2d(cIn, cIn, kernelSize: 1, bias: false),
                        try BatchNorm2d(cIn, affine: affine),
                        ReLU(),
                        try Conv2d(cIn, cIn, kernelSize: kernelSize, stride: 1, padding: padding, groups: cIn, bias: false),
                        try Conv2d(cIn, cOut, kernelSize: 1, bias: false),
                        try BatchNorm2d(cOut, affine: affine))
    }
    /// Runs `op`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try op(x) }
}

/// ReLU -> 1x7 conv -> 7x1 conv -> BN (DARTS `conv_7x1_1x7`).
public final class Conv7x1x1x7: Module, ReLUFirst, @unchecked Sendable {
    /// The four layers, named `op.0` to `op.3` as in DARTS.
    public let op: Sequential
    /// `c` to `c` channels; the stride applies in both convolutions, one dimension each.
    public init(_ c: Int, stride: Int, affine: Bool) throws {
        op = Sequential(ReLU(),
                        try Conv2d(c, c, kernelSize: (1, 7), stride: (1, stride), padding: (0, 3), bias: false),
                        try Conv2d(c, c, kernelSize: (7, 1), stride: (stride, 1), padding: (3, 0), bias: false),
                        try BatchNorm2d(c, affine: affine))
    }
    /// Runs `op`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try op(x) }
}

/// The `none` operation: zeros, subsampled when strided.
public final class Zero: Module, Layer, @unchecked Sendable {
    /// 1 keeps the size; 2 keeps every second row and column.
    public let stride: Int
    /// A `none` op with the given stride.
    public init(stride: Int) { self.stride = stride }
    /// Zeros of `x`'s shape, subsampled when strided.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try stride == 1 ? x : x.slice(dim: 2, step: stride).slice(dim: 3, step: stride)
        return try y * 0
    }
}

/// Halves the spatial size with two offset 1x1 stride-2 convolutions, concatenated: the
/// strided `skip_connect` and the preprocessing after a reduction cell.
public final class FactorizedReduce: Module, Layer, @unchecked Sendable {
    /// 1x1 stride-2 convolution of the input, to cOut/2 channels.
    public let conv_1: Conv2d
    /// 1x1 stride-2 convolution of the input shifted by one pixel, to cOut/2 channels.
    public let conv_2: Conv2d
    /// BN over the concatenated cOut channels.
    public let bn: BatchNorm2d
    /// `cIn` to `cOut` channels at half the size; `cOut` must be even.
    public init(_ cIn: Int, _ cOut: Int, affine: Bool) throws {
        guard cOut % 2 == 0 else { throw TorchError.invalid("FactorizedReduce needs an even channel count, got \(cOut)") }
        conv_1 = try Conv2d(cIn, cOut / 2, kernelSize: 1, stride: 2, bias: false)
        conv_2 = try Conv2d(cIn, cOut / 2, kernelSize: 1, stride: 2, bias: false)
        bn = try BatchNorm2d(cOut, affine: affine)
    }
    /// ReLU, both convolutions concatenated, then BN; odd sizes give ceil(H/2) x ceil(W/2).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let r = try x.relu()
        var shifted = try r.slice(dim: 2, start: 1).slice(dim: 3, start: 1)
        // Odd sizes: pad the shifted view so both halves have ceil(H/2) rows and columns.
        if x.size(2) % 2 == 1 || x.size(3) % 2 == 1 { shifted = try shifted.padded([0, x.size(3) % 2, 0, x.size(2) % 2]) }
        return try bn(try Tensor.cat([try conv_1(r), try conv_2(shifted)], dim: 1))
    }
}

/// Builds a candidate operation mapping C to C channels at the given stride (2 halves the size).
public func makeOperation(_ primitive: Primitive, channels c: Int, stride: Int, affine: Bool) throws -> any Layer {
    switch primitive {
    case .none: return Zero(stride: stride)
    case .maxPool3x3: return MaxPool2d(3, stride: stride, padding: 1)
    case .avgPool3x3: return AvgPool2d(3, stride: stride, padding: 1, countIncludePad: false)
    case .skipConnect: return try stride == 1 ? Identity() : FactorizedReduce(c, c, affine: affine)
    case .sepConv3x3: return try SepConv(c, c, kernelSize: 3, stride: stride, padding: 1, affine: affine)
    case .sepConv5x5: return try SepConv(c, c, kernelSize: 5, stride: stride, padding: 2, affine: affine)
    case .sepConv7x7: return try SepConv(c, c, kernelSize: 7, stride: stride, padding: 3, affine: affine)
    case .dilConv3x3: return try DilConv(c, c, kernelSize: 3, stride: stride, padding: 2, dilation: 2, affine: affine)
    case .dilConv5x5: return try DilConv(c, c, kernelSize: 5, stride: stride, padding: 4, dilation: 2, affine: affine)
    case .conv7x1_1x7: return try Conv7x1x1x7(c, stride: stride, affine: affine)
    case .conv1x1: return try ReLUConvBN(c, c, kernelSize: 1, stride: stride, padding: 0, affine: affine)
    case .conv3x3: return try ReLUConvBN(c, c, kernelSize: 3, stride: stride, padding: 1, affine: affine)
    }
}

/// A search-time candidate: as `makeOperation` with affine false, and pooling followed by a
/// non-affine BN as in DARTS' `MixedOp` (pooling outputs are otherwise on another scale).
public func makeSearchOperation(_ primitive: Primitive, channels c: Int, stride: Int) throws -> any Layer {
    let op = try makeOperation(primitive, channels: c, stride: stride, affine: false)
    switch primitive {
    case .maxPool3x3, .avgPool3x3: return Sequential(op, try BatchNorm2d(c, affine: false))
    default: return op
    }
}
