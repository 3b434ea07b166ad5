import Torch

/// The shape of one feature map of one sample: channels x height x width.
public struct FeatureShape: Equatable, Sendable, CustomStringConvertible {
    /// Sizes of the three dimensions.
    public var channels: Int, height: Int, width: Int

    /// A shape of `channels` x `height` x `width`.
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// "CxHxW", as in "16x28x28".
    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// Counts the multiply-adds of one forward pass of one sample by propagating shapes through the
/// modules, without running them (so a 224x224 ImageNet network is counted instantly).
///
/// Convolutions count out_channels x out_height x out_width x (in_channels / groups) x kernel
/// area, linear layers in x out; batch norm, activations, pooling and additions are not counted,
/// the convention behind the published "multiply-adds" (DARTS' 574M on ImageNet).
public struct MultiplyAddCounter {
    /// Multiply-adds counted so far.
    public private(set) var total = 0

    /// A counter at zero.
    public init() {}

    /// Adds a product to `total`, saturating at Int.max: the count of a network too large to
    /// run reads as that, it does not trap.
    private mutating func add(_ factors: Int...) {
        let product = factors.reduce(1) { a, b in
            let (p, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? .max : p
        }
        let (sum, overflow) = total.addingReportingOverflow(product)
        total = overflow ? .max : sum
    }

    /// The output shape of `module` for `input`, adding its multiply-adds to `total`.
    public mutating func trace(_ module: Module, _ input: FeatureShape) -> FeatureShape {
        switch module {
        case let conv as Conv2d:
            let w = conv.weight.shape  // [out, in / groups, kh, kw]
            let height = convolvedSize(input.height, kernel: w[2], stride: conv.stride.0, padding: conv.padding.0,
                                       dilation: conv.dilation.0)
            let width = convolvedSize(input.width, kernel: w[3], stride: conv.stride.1, padding: conv.padding.1,
                                      dilation: conv.dilation.1)
            add(w[0], height, width, w[1], w[2], w[3])
            return FeatureShape(channels: w[0], height: height, width: width)
        case let linear as Linear:
            let w = linear.weight.shape  // [out, in]
            add(w[0], w[1])
            return FeatureShape(channels: w[0], height: 1, width: 1)
        case is BatchNorm2d, is ReLU, is Identity, is Dropout:
            return input
        case let pool as MaxPool2d:
            return pooled(input, kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding)
        case let pool as AvgPool2d:
            return pooled(input, kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding)
        case let pool as AuxiliaryPool:
            if pool.usesFixedPooling(height: input.height, width: input.width) {
                return pooled(input, kernel: pool.kernelSize, stride: pool.stride, padding: 0)
            }
            return FeatureShape(channels: input.channels, height: 2, width: 2)
        case let zero as Zero:
            return FeatureShape(channels: input.channels, height: ceilDivide(input.height, zero.stride),
                                width: ceilDivide(input.width, zero.stride))
        case let sequential as Sequential:
            return sequential.layers.reduce(input) { trace($1, $0) }
        case let op as ReLUConvBN:
            return trace(op.op, input)
        case let op as SepConv:
            return trace(op.op, input)
        case let op as DilConv:
            return trace(op.op, input)
        case let op as Conv7x1x1x7:
            return trace(op.op, input)
        case let reduce as FactorizedReduce:
            // The second convolution reads the input shifted by one pixel, padded back to an
            // even size for odd inputs, so both halves come out at ceil(size / 2).
            let first = trace(reduce.conv_1, input)
            let shifted = FeatureShape(channels: input.channels, height: input.height - 1 + input.height % 2,
                                       width: input.width - 1 + input.width % 2)
            let second = trace(reduce.conv_2, shifted)
            return FeatureShape(channels: first.channels + second.channels, height: first.height, width: first.width)
        case let head as AuxiliaryHead:
            let features = trace(head.features, input)
            return trace(head.classifier, FeatureShape(channels: features.channels * features.height * features.width,
                                                       height: 1, width: 1))
        default:
            fatalError("MultiplyAddCounter: no shape rule for \(type(of: module)); add one in MultiplyAdds.swift")
        }
    }

    /// The output shape of a cell for its two input shapes.
    public mutating func trace(_ cell: EvalCell, _ s0: FeatureShape, _ s1: FeatureShape) -> FeatureShape {
        var states = [trace(cell.preprocess0, s0), trace(cell.preprocess1, s1)]
        var k = 0
        for inputs in cell.connections {
            var node: FeatureShape?
            for connection in inputs {
                let h = trace(cell.ops[k], states[connection.input])
                node = node ?? h
                k += 1
            }
            states.append(node!)
        }
        let first = states[cell.concat[0]]
        return FeatureShape(channels: cell.concat.reduce(0) { $0 + states[$1].channels }, height: first.height,
                            width: first.width)
    }

    private func convolvedSize(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    }

    private func pooled(_ input: FeatureShape, kernel: Int, stride: Int, padding: Int) -> FeatureShape {
        FeatureShape(channels: input.channels,
                     height: convolvedSize(input.height, kernel: kernel, stride: stride, padding: padding, dilation: 1),
                     width: convolvedSize(input.width, kernel: kernel, stride: stride, padding: padding, dilation: 1))
    }

    private func ceilDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
