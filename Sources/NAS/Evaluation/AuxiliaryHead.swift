import Torch

/// The auxiliary classifier attached after the second reduction cell (DARTS `AuxiliaryHeadCIFAR`
/// and `AuxiliaryHeadImageNet`). Its loss, weighted by `--auxiliary-weight`, is added in training
/// only; it is excluded from the parameter count, as the papers count it.
///
/// Layers: ReLU -> average pool -> 1x1 conv to 128 -> BN -> ReLU -> 2x2 conv to 768 -> BN (CIFAR
/// only; DARTS' ImageNet head omits it) -> ReLU -> Linear. DARTS sizes the pooling for one input:
/// 5x5 stride 3 turns the 8x8 map of a 32x32 CIFAR network into 2x2, and 5x5 stride 2 turns the
/// 7x7 map of a 224x224 ImageNet network into 2x2; the 2x2 convolution then leaves 1x1. For any
/// other map size (7x7 in a 28x28 Fashion-MNIST network, where DARTS' pooling would leave 1x1 and
/// the 2x2 convolution fail) `AuxiliaryPool` pools adaptively to 2x2 instead, so the head works
/// for every input size and has the same parameters.
public final class AuxiliaryHead: Module, Layer, @unchecked Sendable {
    /// Which DARTS head: CIFAR keeps the BN after the 2x2 convolution, ImageNet omits it.
    public enum Variant: String, Codable, Sendable {
        /// `AuxiliaryHeadCIFAR`, `AuxiliaryHeadImageNet`.
        case cifar, imagenet
    }

    /// The DARTS head this follows.
    public let variant: Variant
    /// Named as in DARTS (`features.2.weight` is the 1x1 convolution).
    public let features: Sequential
    /// Linear 768 -> classes.
    public let classifier: Linear

    /// A head reading `inputChannels` feature maps and predicting `classes` logits.
    public init(_ variant: Variant, inputChannels: Int, classes: Int) throws {
        self.variant = variant
        var layers: [any Layer] = [
            ReLU(),
            AuxiliaryPool(kernelSize: 5, stride: variant == .cifar ? 3 : 2),
            try Conv2d(inputChannels, 128, kernelSize: 1, bias: false),
            try BatchNorm2d(128),
            ReLU(),
            try Conv2d(128, 768, kernelSize: 2, bias: false),
        ]
        if variant == .cifar { layers.append(try BatchNorm2d(768)) }
        layers.append(ReLU())
        features = Sequential(layers)
        classifier = try Linear(768, classes)
    }

    /// Auxiliary logits [N, classes].
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try classifier(try features(x).flatten(from: 1))
    }
}

/// Average pooling to the 2x2 map the auxiliary head's 2x2 convolution expects: DARTS' fixed
/// pooling (count_include_pad false, no padding) when it gives 2x2, adaptive pooling otherwise.
public final class AuxiliaryPool: Module, Layer, @unchecked Sendable {
    /// DARTS' fixed window and stride (5 and 3 for CIFAR, 5 and 2 for ImageNet).
    public let kernelSize: Int, stride: Int

    /// Pools with `kernelSize`/`stride` where that gives 2x2, adaptively otherwise.
    public init(kernelSize: Int, stride: Int) {
        self.kernelSize = kernelSize
        self.stride = stride
    }

    /// Whether DARTS' fixed pooling maps a height x width input to exactly 2x2.
    public func usesFixedPooling(height: Int, width: Int) -> Bool {
        height >= kernelSize && width >= kernelSize
            && (height - kernelSize) / stride + 1 == 2 && (width - kernelSize) / stride + 1 == 2
    }

    /// Pools an NCHW batch to N x C x 2 x 2.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if usesFixedPooling(height: x.size(2), width: x.size(3)) {
            return try avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: 0, countIncludePad: false)
        }
        return try adaptiveAvgPool2d(x, outputSize: (2, 2))
    }
}
