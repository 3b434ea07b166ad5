import XCTest
@testable import NAS
import Torch

/// The candidate operations behave as DARTS' `operations.py`: C channels in, C out, the same
/// spatial size at stride 1 and half of it at stride 2, bias-free convolutions.
final class OperationsTests: SingleThreadTestCase {
    func testEveryPrimitiveKeepsOrHalvesTheSizeAndMapsCToC() throws {
        Torch.manualSeed(0)
        for size in [8, 7] {
            let x = try Tensor.randn([2, 6, size, size])
            for primitive in Primitive.allCases {
                for stride in [1, 2] {
                    let op = try makeSearchOperation(primitive, channels: 6, stride: stride)
                    let expected = stride == 1 ? size : (size + 1) / 2
                    let y = try op(x)
                    XCTAssertEqual(y.shape, [2, 6, expected, expected], "\(primitive) stride \(stride) on \(size)x\(size)")
                }
            }
        }
    }

    func testParameterCountsMatchDarts() {
        // C = 16: sep_conv_3x3 = 2 x (16*9 + 16*16) = 800 conv weights; dil_conv_3x3 = 16*9 + 256 = 400;
        // skip_connect stride 2 (FactorizedReduce) = 2 x 16*8 = 256; affine BN adds 2C per BN.
        func count(_ p: Primitive, stride: Int, affine: Bool) throws -> Int {
            (try makeOperation(p, channels: 16, stride: stride, affine: affine) as Module).parameterCount()
        }
        XCTAssertEqual(try count(.sepConv3x3, stride: 1, affine: false), 800)
        XCTAssertEqual(try count(.sepConv3x3, stride: 1, affine: true), 800 + 4 * 16)
        XCTAssertEqual(try count(.sepConv5x5, stride: 2, affine: false), 2 * (16 * 25 + 256))
        XCTAssertEqual(try count(.dilConv3x3, stride: 1, affine: false), 400)
        XCTAssertEqual(try count(.dilConv5x5, stride: 1, affine: false), 16 * 25 + 256)
        XCTAssertEqual(try count(.skipConnect, stride: 2, affine: false), 256)
        XCTAssertEqual(try count(.skipConnect, stride: 1, affine: false), 0)
        XCTAssertEqual(try count(.conv7x1_1x7, stride: 1, affine: false), 2 * 16 * 16 * 7)
        XCTAssertEqual(try count(.maxPool3x3, stride: 1, affine: true), 0)
    }

    func testNoneIsZeroAndPoolingIsFollowedByBatchNormInSearch() throws {
        let x = try Tensor.randn([2, 4, 6, 6])
        let zero = try makeSearchOperation(.none, channels: 4, stride: 2)
        let zeros = try zero(x)
        XCTAssertEqual(zeros.shape, [2, 4, 3, 3])
        XCTAssertEqual(try zeros.abs().sum().item(), 0)
        let pool = try makeSearchOperation(.avgPool3x3, channels: 4, stride: 1)
        XCTAssertTrue(pool is Sequential)
        XCTAssertFalse(try makeOperation(.avgPool3x3, channels: 4, stride: 1, affine: true) is Sequential)
        // Average pooling ignores the padding at the border (count_include_pad=False): a constant
        // image stays constant.
        let ones = try Tensor.ones([1, 1, 5, 5])
        XCTAssertEqual(try avgPool2d(ones, kernelSize: 3, stride: 1, padding: 1, countIncludePad: false).min().item(), 1)
    }

    func testParameterNamesFollowDarts() throws {
        let sep = try makeOperation(.sepConv3x3, channels: 4, stride: 1, affine: true) as Module
        XCTAssertEqual(sep.namedParameters().map(\.0),
                       ["op.1.weight", "op.2.weight", "op.3.weight", "op.3.bias", "op.5.weight", "op.6.weight", "op.7.weight", "op.7.bias"])
        let reduce = try FactorizedReduce(4, 8, affine: true)
        XCTAssertEqual(reduce.namedParameters().map(\.0), ["conv_1.weight", "conv_2.weight", "bn.weight", "bn.bias"])
    }

    /// FactorizedReduce is DARTS': conv_1 on the pixels (0, 0), (0, 2), ... and conv_2 on the
    /// input shifted by one pixel (x[:, :, 1:, 1:], padded back with zeros for odd sizes), joined
    /// and batch-normalised. Checked against that recipe written with slices and the plain
    /// convolution, for even and odd sizes, in both layouts.
    func testFactorizedReduceReadsTheShiftedPixels() throws {
        Torch.manualSeed(4)
        for size in [8, 7] {
            for format in [MemoryFormat.contiguous, .channelsLast] {
                let op = try FactorizedReduce(4, 6, affine: false)
                try op.to(memoryFormat: format)
                let x = try Tensor.randn([2, 4, size, size]).to(memoryFormat: format)
                let r = try x.relu()
                var shifted = try r.slice(dim: 2, start: 1).slice(dim: 3, start: 1)
                if size % 2 == 1 { shifted = try shifted.padded([0, 1, 0, 1]) }
                let halves = [try conv2d(r.slice(dim: 2, step: 2).slice(dim: 3, step: 2), weight: op.conv_1.weight),
                              try conv2d(shifted.slice(dim: 2, step: 2).slice(dim: 3, step: 2), weight: op.conv_2.weight)]
                let expected = try op.bn(try Tensor.cat(halves, dim: 1))
                let y = try op(x)
                XCTAssertEqual(y.shape, [2, 6, (size + 1) / 2, (size + 1) / 2])
                let difference = zip(try y.contiguous().floats(), try expected.contiguous().floats()).map { abs($0 - $1) }.max() ?? 1
                XCTAssertLessThan(difference, 1e-5, "size \(size), \(format)")
            }
        }
    }
}
