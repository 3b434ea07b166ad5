import XCTest
import Torch

/// Autograd against central finite differences, in float64, for every functional op the search
/// and training loops differentiate through.
final class FunctionalGradientTests: XCTestCase {
    func testConv2dPlainWithBias() throws {
        let x = try randomDoubles([2, 3, 5, 5], seed: 1), w = try randomDoubles([4, 3, 3, 3], seed: 2)
        let b = try randomDoubles([4], seed: 3)
        try checkGradients([x, w, b], "conv2d 3x3 padding 1") { t in
            try weightedSum(try conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1))
        }
    }

    func testConv2dGroupedDilated() throws {
        let x = try randomDoubles([2, 4, 6, 6], seed: 4), w = try randomDoubles([4, 2, 3, 3], seed: 5)
        try checkGradients([x, w], "conv2d groups 2 dilation 2") { t in
            try weightedSum(try conv2d(t[0], weight: t[1], padding: 2, dilation: 2, groups: 2))
        }
    }

    func testConv2dStridedAsymmetric() throws {
        let x = try randomDoubles([1, 2, 5, 6], seed: 6), w = try randomDoubles([3, 2, 3, 2], seed: 7)
        let b = try randomDoubles([3], seed: 8)
        try checkGradients([x, w, b], "conv2d stride (2,1) padding (1,0) dilation (1,2)") { t in
            try weightedSum(try conv2d(t[0], weight: t[1], bias: t[2], stride: (2, 1), padding: (1, 0), dilation: (1, 2)))
        }
    }

    func testConv2dDepthwiseStridedDilated() throws {
        let x = try randomDoubles([2, 3, 7, 7], seed: 9), w = try randomDoubles([3, 1, 3, 3], seed: 10)
        try checkGradients([x, w], "depthwise conv2d stride 2 dilation 2") { t in
            try weightedSum(try conv2d(t[0], weight: t[1], stride: 2, padding: 2, dilation: 2, groups: 3))
        }
    }

    func testMaxPool2d() throws {
        let x = try randomDoubles([2, 2, 5, 5], seed: 11)
        try checkGradients([x], "max_pool2d 3x3 stride 1 padding 1") { t in
            try weightedSum(try maxPool2d(t[0], kernelSize: 3, stride: 1, padding: 1))
        }
        try checkGradients([x], "max_pool2d 3x3 stride 2 padding 1") { t in
            try weightedSum(try maxPool2d(t[0], kernelSize: 3, stride: 2, padding: 1))
        }
        try checkGradients([x], "max_pool2d 2x2, ceil mode") { t in
            try weightedSum(try maxPool2d(t[0], kernelSize: 2, ceilMode: true))
        }
    }

    func testAvgPool2dWithoutPaddingCount() throws {
        let x = try randomDoubles([2, 2, 5, 5], seed: 12)
        try checkGradients([x], "avg_pool2d 3x3 stride 1 padding 1, count_include_pad false") { t in
            try weightedSum(try avgPool2d(t[0], kernelSize: 3, stride: 1, padding: 1, countIncludePad: false))
        }
        try checkGradients([x], "avg_pool2d 3x3 stride 2 padding 1, count_include_pad false") { t in
            try weightedSum(try avgPool2d(t[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: false))
        }
        try checkGradients([x], "adaptive_avg_pool2d to 2x2") { t in
            try weightedSum(try adaptiveAvgPool2d(t[0], outputSize: (2, 2)))
        }
    }

    func testBatchNormTrainingAffine() throws {
        let x = try randomDoubles([3, 2, 2, 3], seed: 13)
        let weight = try randomDoubles([2], seed: 14) + 1.5, bias = try randomDoubles([2], seed: 15)
        let runningMean = try Tensor.zeros([2], dtype: .float64), runningVar = try Tensor.ones([2], dtype: .float64)
        try checkGradients([x, weight, bias], "batch_norm training, affine") { t in
            try weightedSum(try batchNorm(t[0], weight: t[1], bias: t[2], runningMean: runningMean, runningVar: runningVar,
                                  training: true))
        }
    }

    func testBatchNormTrainingNoAffine() throws {
        let x = try randomDoubles([3, 2, 2, 3], seed: 16)
        try checkGradients([x], "batch_norm training, no affine, no running stats") { t in
            try weightedSum(try batchNorm(t[0], weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true))
        }
    }

    func testSoftmaxAndLogSoftmax() throws {
        let x = try randomDoubles([3, 5], seed: 17)
        try checkGradients([x], "softmax over classes") { t in try weightedSum(try t[0].softmax(dim: 1)) }
        try checkGradients([x], "softmax over dim 0") { t in try weightedSum(try t[0].softmax(dim: 0)) }
        try checkGradients([x], "log_softmax over classes") { t in try weightedSum(try t[0].logSoftmax(dim: -1)) }
    }

    func testCrossEntropy() throws {
        let logits = try randomDoubles([4, 5], seed: 18), target = try Tensor([0, 3, 4, 3] as [Int64], shape: [4])
        try checkGradients([logits], "cross_entropy") { t in try crossEntropy(t[0], target) }
        try checkGradients([logits], "cross_entropy, label smoothing 0.1") { t in
            try crossEntropy(t[0], target, labelSmoothing: 0.1)
        }
    }

    func testLinearAndElementwise() throws {
        let x = try randomDoubles([3, 4], seed: 19), w = try randomDoubles([2, 4], seed: 20), b = try randomDoubles([2], seed: 21)
        try checkGradients([x, w, b], "linear then sigmoid, tanh") { t in
            try weightedSum(try linear(t[0], weight: t[1], bias: t[2]).sigmoid() + linear(t[0], weight: t[1]).tanh())
        }
    }
}
