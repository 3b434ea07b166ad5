import XCTest
import Torch

/// The tally that turns benchmark steps into GFLOP/s counts each convolution and linear call by
/// hand-computed shapes, in every form `Conv2d` may take, and nothing outside a measure.
final class MultiplyAddTallyTests: XCTestCase {
    /// A grouped, padded, strided convolution and a linear layer, counted by hand.
    func testCountsConvolutionAndLinearByHand() throws {
        let x = try Tensor.randn([2, 4, 9, 9]), w = try Tensor.randn([6, 2, 3, 3])
        let (y, convolution) = try MultiplyAddTally.measure {
            try conv2d(x, weight: w, stride: (2, 2), padding: (1, 1), groups: 2)
        }
        XCTAssertEqual(y.shape, [2, 6, 5, 5])
        XCTAssertEqual(convolution, 2 * 6 * 5 * 5 * (2 * 3 * 3))
        let a = try Tensor.randn([5, 3]), lw = try Tensor.randn([7, 3])
        XCTAssertEqual(try MultiplyAddTally.measure { try linear(a, weight: lw) }.multiplyAdds, 5 * 7 * 3)
        XCTAssertEqual(MultiplyAddTally.measure { 0 }.multiplyAdds, 0)
    }

    /// A dilated depthwise convolution counts the same multiply-adds in its direct, subsampled
    /// (stride = dilation) and polyphase (stride 1) forms: the forms change the kernel that runs,
    /// not the work.
    func testDilatedFormsCountTheDilatedConvolution() throws {
        for (stride, size) in [(1, 8), (1, 7), (2, 8)] {
            let conv = try Conv2d(4, 4, kernelSize: 3, stride: stride, padding: 2, dilation: 2, groups: 4)
            let x = try Tensor.randn([2, 4, size, size])
            let (y, counted) = try MultiplyAddTally.measure { try conv(x) }
            XCTAssertEqual(counted, y.count * 9, "stride \(stride), size \(size)")
        }
    }
}
