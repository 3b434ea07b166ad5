import XCTest
import Torch

/// Autograd against central finite differences, in float64, for every functional op the search
/// and training loops differentiate through.
final class FunctionalGradientTests: XCTestCase {
    func testConv2dPlainWithBias() {
        let x = randomDoubles([2, 3, 5, 5], seed: 1), w = randomDoubles([4, 3, 3, 3], seed: 2)
        let b = randomDoubles([4], seed: 3)
        checkGradients([x, w, b], "conv2d 3x3 padding 1") { t in
            weightedSum(conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1))
        }
    }

    func testConv2dGroupedDilated() {
        let x = randomDoubles([2, 4, 6, 6], seed: 4), w = randomDoubles([4, 2, 3, 3], seed: 5)
        checkGradients([x, w], "conv2d groups 2 dilation 2") { t in
            weightedSum(conv2d(t[0], weight: t[1], padding: 2, dilation: 2, groups: 2))
        }
    }

    func testConv2dStridedAsymmetric() {
        let x = randomDoubles([1, 2, 5, 6], seed: 6), w = randomDoubles([3, 2, 3, 2], seed: 7)
        let b = randomDoubles([3], seed: 8)
        checkGradients([x, w, b], "conv2d stride (2,1) padding (1,0) dilation (1,2)") { t in
            weightedSum(conv2d(t[0], weight: t[1], bias: t[2], stride: (2, 1), padding: (1, 0), dilation: (1, 2)))
        }
    }

    func testConv2dDepthwiseStridedDilated() {
        let x = randomDoubles([2, 3, 7, 7], seed: 9), w = randomDoubles([3, 1, 3, 3], seed: 10)
        checkGradients([x, w], "depthwise conv2d stride 2 dilation 2") { t in
            weightedSum(conv2d(t[0], weight: t[1], stride: 2, padding: 2, dilation: 2, groups: 3))
        }
    }

    func testMaxPool2d() {
        let x = randomDoubles([2, 2, 5, 5], seed: 11)
        checkGradients([x], "max_pool2d 3x3 stride 1 padding 1") { t in
            weightedSum(maxPool2d(t[0], kernelSize: 3, stride: 1, padding: 1))
        }
        checkGradients([x], "max_pool2d 3x3 stride 2 padding 1") { t in
            weightedSum(maxPool2d(t[0], kernelSize: 3, stride: 2, padding: 1))
        }
        checkGradients([x], "max_pool2d 2x2, ceil mode") { t in
            weightedSum(maxPool2d(t[0], kernelSize: 2, ceilMode: true))
        }
    }

    func testAvgPool2dWithoutPaddingCount() {
        let x = randomDoubles([2, 2, 5, 5], seed: 12)
        checkGradients([x], "avg_pool2d 3x3 stride 1 padding 1, count_include_pad false") { t in
            weightedSum(avgPool2d(t[0], kernelSize: 3, stride: 1, padding: 1, countIncludePad: false))
        }
        checkGradients([x], "avg_pool2d 3x3 stride 2 padding 1, count_include_pad false") { t in
            weightedSum(avgPool2d(t[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: false))
        }
        checkGradients([x], "adaptive_avg_pool2d to 2x2") { t in
            weightedSum(adaptiveAvgPool2d(t[0], outputSize: (2, 2)))
        }
    }

    func testBatchNormTrainingAffine() {
        let x = randomDoubles([3, 2, 2, 3], seed: 13)
        let weight = randomDoubles([2], seed: 14) + 1.5, bias = randomDoubles([2], seed: 15)
        let runningMean = Tensor.zeros([2], dtype: .float64), runningVar = Tensor.ones([2], dtype: .float64)
        checkGradients([x, weight, bias], "batch_norm training, affine") { t in
            weightedSum(batchNorm(t[0], weight: t[1], bias: t[2], runningMean: runningMean, runningVar: runningVar,
                                  training: true))
        }
    }

    func testBatchNormTrainingNoAffine() {
        let x = randomDoubles([3, 2, 2, 3], seed: 16)
        checkGradients([x], "batch_norm training, no affine, no running stats") { t in
            weightedSum(batchNorm(t[0], weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true))
        }
    }

    func testSoftmaxAndLogSoftmax() {
        let x = randomDoubles([3, 5], seed: 17)
        checkGradients([x], "softmax over classes") { t in weightedSum(t[0].softmax(dim: 1)) }
        checkGradients([x], "softmax over dim 0") { t in weightedSum(t[0].softmax(dim: 0)) }
        checkGradients([x], "log_softmax over classes") { t in weightedSum(t[0].logSoftmax(dim: -1)) }
    }

    func testCrossEntropy() {
        let logits = randomDoubles([4, 5], seed: 18), target = Tensor([0, 3, 4, 3] as [Int64], shape: [4])
        checkGradients([logits], "cross_entropy") { t in crossEntropy(t[0], target) }
        checkGradients([logits], "cross_entropy, label smoothing 0.1") { t in
            crossEntropy(t[0], target, labelSmoothing: 0.1)
        }
    }

    func testLinearAndElementwise() {
        let x = randomDoubles([3, 4], seed: 19), w = randomDoubles([2, 4], seed: 20), b = randomDoubles([2], seed: 21)
        checkGradients([x, w, b], "linear then sigmoid, tanh") { t in
            weightedSum(linear(t[0], weight: t[1], bias: t[2]).sigmoid() + linear(t[0], weight: t[1]).tanh())
        }
    }
}
