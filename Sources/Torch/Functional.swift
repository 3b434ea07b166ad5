import CTorch

// The neural-network functions (torch.nn.functional). Layers in nn/ wrap these with state.

/// 2-D convolution. `weight` is [out, in/groups, kh, kw].
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                   dilation: Int = 1, groups: Int = 1) throws -> Tensor {
    try conv2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
           dilation: (dilation, dilation), groups: groups)
}

/// 2-D convolution with separate height and width stride, padding and dilation.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int), padding: (Int, Int),
                   dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
    if stridedPointwiseNeedsSubsampling(x, weight: weight, stride: stride, padding: padding) {
        let subsampled = try x.slice(dim: 2, step: stride.0).slice(dim: 3, step: stride.1)
        return try conv2d(subsampled, weight: weight, bias: bias, stride: (1, 1), padding: (0, 0), groups: groups)
    }
    let s = [Int64(stride.0), Int64(stride.1)], p = [Int64(padding.0), Int64(padding.1)]
    let d = [Int64(dilation.0), Int64(dilation.1)]
    let y = try withExtendedLifetime(bias) {
        try Tensor(owning: ct_conv2d(x.handle, weight.handle, bias?.handle, s, p, d, Int64(groups)), "conv2d")
    }
    MultiplyAddTally.add(y.count * weight.count / max(weight.size(0), 1))  // per output: (in / groups) x kh x kw
    return y
}

/// Channels below which a strided 1x1 convolution on a channels-last CPU tensor is computed as a
/// stride-1 one on the subsampled input.
let stridedPointwiseChannelLimit = 16

/// Whether `conv2d` must take the subsampling path: libtorch 1.13's oneDNN kernel for the backward
/// of a 1x1, stride-2 convolution of a channels-last input with few input channels writes past
/// its buffer on AVX2 CPUs (docs/libtorch-binding.md#strided-pointwise-convolutions). A 1x1
/// convolution without padding reads only the pixels its stride lands on, so subsampling first
/// and convolving with stride 1 gives the same numbers by another kernel.
func stridedPointwiseNeedsSubsampling(_ x: Tensor, weight: Tensor, stride: (Int, Int), padding: (Int, Int)) -> Bool {
    stride != (1, 1) && padding == (0, 0) && weight.rank == 4 && weight.size(2) == 1 && weight.size(3) == 1
        && x.rank == 4 && x.size(1) < stridedPointwiseChannelLimit && !x.device.isCUDA
        && (x.memoryFormat == .channelsLast || weight.memoryFormat == .channelsLast)
}

/// Max pooling over square windows; `stride` defaults to `kernelSize`, as in PyTorch.
public func maxPool2d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) throws -> Tensor {
    let k = [Int64(kernelSize), Int64(kernelSize)], st = Int64(stride ?? kernelSize)
    return try Tensor(owning: ct_max_pool2d(x.handle, k, [st, st], [Int64(padding), Int64(padding)], ceilMode), "max_pool2d")
}

/// Average pooling; DARTS uses `countIncludePad: false` so border averages ignore the padding.
public func avgPool2d(_ x: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = false) throws -> Tensor {
    let k = [Int64(kernelSize), Int64(kernelSize)], st = Int64(stride ?? kernelSize)
    return try Tensor(owning: ct_avg_pool2d(x.handle, k, [st, st], [Int64(padding), Int64(padding)], ceilMode, countIncludePad),
                  "avg_pool2d")
}

/// Average pooling to a fixed output size, whatever the input size (global pooling with 1x1).
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int, Int)) throws -> Tensor {
    try Tensor(owning: ct_adaptive_avg_pool2d(x.handle, [Int64(outputSize.0), Int64(outputSize.1)]), "adaptive_avg_pool2d")
}

/// Batch normalisation. In training mode batch statistics are used and the running statistics
/// (when given) move by `momentum`; in inference mode the running statistics are used.
public func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                      training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws -> Tensor {
    try withExtendedLifetime((weight, bias, runningMean, runningVar)) {
        try Tensor(owning: ct_batch_norm(x.handle, weight?.handle, bias?.handle, runningMean?.handle, runningVar?.handle,
                                     training, momentum, eps), "batch_norm")
    }
}

/// Zeroes each element with probability `p` and scales the rest by 1/(1-p); the identity when not training.
public func dropout(_ x: Tensor, p: Double, training: Bool) throws -> Tensor {
    try Tensor(owning: ct_dropout(x.handle, p, training), "dropout")
}

/// x * weight^T + bias, with `weight` [out, in].
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    let y = try withExtendedLifetime(bias) { try Tensor(owning: ct_linear(x.handle, weight.handle, bias?.handle), "linear") }
    MultiplyAddTally.add(y.count * weight.size(weight.rank - 1))  // per output: in features
    return y
}

/// Mean cross-entropy of logits [N, C] against int64 class indices [N]; optional label smoothing.
public func crossEntropy(_ logits: Tensor, _ target: Tensor, labelSmoothing: Double = 0) throws -> Tensor {
    try Tensor(owning: ct_cross_entropy(logits.handle, target.handle, labelSmoothing), "cross_entropy")
}

extension Tensor {
    /// Softmax along `dim`.
    public func softmax(dim: Int) throws -> Tensor { try Tensor(owning: ct_softmax(handle, Int64(dim)), "softmax") }
    /// Log-softmax along `dim`, more stable than `softmax(dim:).log()`.
    public func logSoftmax(dim: Int) throws -> Tensor { try Tensor(owning: ct_log_softmax(handle, Int64(dim)), "log_softmax") }
}
