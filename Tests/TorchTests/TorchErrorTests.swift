import XCTest
@testable import Torch

/// Real libtorch failures arrive as thrown `TorchError.libtorch` with libtorch's message, and the
/// process (and the tensors involved) carry on afterwards.
final class TorchErrorTests: XCTestCase {
    private func assertLibtorchError(_ expression: @autoclosure () throws -> Any, mentions words: [String],
                                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard case TorchError.libtorch(let message) = error else {
                return XCTFail("expected a libtorch error, got \(error)", file: file, line: line)
            }
            for word in words {
                XCTAssertTrue(message.contains(word), "'\(word)' missing from: \(message)", file: file, line: line)
            }
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
        }
    }

    func testMatmulShapeMismatchThrows() throws {
        let a = try Tensor.ones([2, 3]), b = try Tensor.ones([4, 5])
        assertLibtorchError(try a.matmul(b), mentions: ["matmul", "2x3", "4x5"])
        // The operands are still usable.
        XCTAssertEqual(try a.matmul(try Tensor.ones([3, 5])).shape, [2, 5])
    }

    func testConvolutionChannelMismatchThrows() throws {
        let x = try Tensor.randn([1, 3, 8, 8]), weight = try Tensor.randn([4, 2, 3, 3])
        assertLibtorchError(try conv2d(x, weight: weight, padding: 1), mentions: ["conv2d", "channels"])
        let layer = try Conv2d(2, 4, kernelSize: 3, padding: 1)
        XCTAssertThrowsError(try layer(x))
    }

    func testBadDtypeThrows() throws {
        let logits = try Tensor.randn([2, 3])
        let floatLabels = try Tensor([0, 1] as [Float], shape: [2])
        assertLibtorchError(try crossEntropy(logits, floatLabels), mentions: ["cross_entropy"])
        let integers = try Tensor([1, 2] as [Int64], shape: [2])
        assertLibtorchError(try integers.requiringGrad(), mentions: ["requires_grad"])
    }

    func testBackwardOfANonScalarWithoutGradientThrows() throws {
        let x = try Tensor.randn([3]).requiringGrad()
        let y = try x * 2.0
        assertLibtorchError(try y.backward(), mentions: ["backward", "scalar"])
    }

    func testArgumentErrorsAreThrownNotTrapped() throws {
        XCTAssertThrowsError(try Tensor([1, 2, 3] as [Float], shape: [2, 2])) { XCTAssertTrue("\($0)".contains("3 values")) }
        XCTAssertThrowsError(try Conv2d(3, 4, kernelSize: (3, 3), groups: 2)) { XCTAssertTrue("\($0)".contains("groups")) }
        XCTAssertThrowsError(try Tensor.randn([1, 3, 2, 2]).channelShuffle(groups: 2))
    }
}
