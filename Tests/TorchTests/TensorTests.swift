import Foundation
import XCTest
import Torch

/// Tensor creation, data transfer, shape operations and arithmetic (Tensor.swift,
/// TensorShape.swift, TensorMath.swift, InPlace.swift).
final class TensorTests: XCTestCase {
    func testCreationAndReadBack() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.rank, 2)
        XCTAssertEqual(a.count, 6)
        XCTAssertEqual(a.dtype, .float32)
        XCTAssertEqual(a.size(-1), 3)
        XCTAssertEqual(try a.floats(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try a.doubles(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try a.int64s(), [1, 2, 3, 4, 5, 6])

        let d = try Tensor([0.1, -2.5], shape: [2])
        XCTAssertEqual(d.dtype, .float64)
        XCTAssertEqual(try d.doubles(), [0.1, -2.5], "float64 keeps full precision")
        XCTAssertEqual(try d.to(.float32).dtype, .float32)
        XCTAssertNotEqual(try d.to(.float32).doubles()[0], 0.1)

        let i = try Tensor([Int64.max, -7], shape: [2])
        XCTAssertEqual(i.dtype, .int64)
        XCTAssertEqual(try i.int64s(), [Int64.max, -7])

        XCTAssertEqual(try Tensor(scalar: 2.5).shape, [])
        XCTAssertEqual(try Tensor(scalar: 2.5).item(), 2.5)
        XCTAssertEqual(try Tensor([Int64(9)], shape: []).itemInt(), 9)
        XCTAssertEqual(try Tensor.zeros([2, 2]).floats(), [0, 0, 0, 0])
        XCTAssertEqual(try Tensor.ones([3], dtype: .int64).int64s(), [1, 1, 1])
        XCTAssertEqual(try Tensor.full([2], 7.5, dtype: .float64).doubles(), [7.5, 7.5])
        XCTAssertEqual(try Tensor.arange(5).floats(), [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.25, dtype: .float64).doubles(), [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(0, 3, dtype: .int64).int64s(), [0, 1, 2])
    }

    func testRawBytesAreLittleEndianRowMajor() throws {
        let t = try Tensor([1, 258] as [Int64], shape: [2])
        XCTAssertEqual(try t.rawBytes(), [1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0])
        let f = try Tensor([1.0] as [Float], shape: [1])
        XCTAssertEqual(try f.rawBytes(), [0x00, 0x00, 0x80, 0x3f])
        // A transposed view is written out in its logical (row-major) order.
        let m = try Tensor([1, 2, 3, 4, 5, 6] as [Int64], shape: [2, 3]).transpose(0, 1)
        XCTAssertEqual(try m.int64s(), [1, 4, 2, 5, 3, 6])
        let back = try m.rawBytes().withUnsafeBytes { try Tensor(bytes: $0, shape: [3, 2], dtype: .int64) }
        XCTAssertEqual(try back.int64s(), [1, 4, 2, 5, 3, 6])
    }

    func testBytesInitRejectsWrongLength() {
        let bytes: [UInt8] = [1, 2, 3]
        assertThrowsTorchError("3 bytes for a float32 [1]", containing: ["3 bytes", "[1]"]) {
            try bytes.withUnsafeBytes { try Tensor(bytes: $0, shape: [1], dtype: .float32) }
        }
    }

    func testShapeOperations() throws {
        let t = try Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        XCTAssertEqual(try t.reshape([4, -1]).shape, [4, 6])
        XCTAssertEqual(try t.flatten().shape, [2, 12])
        XCTAssertEqual(try t.flatten(from: 0).shape, [24])
        let p = try t.permute([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(try p.floats().prefix(6), [0, 4, 8, 12, 16, 20])
        XCTAssertEqual(try t.transpose(0, 2).shape, [4, 3, 2])
        XCTAssertEqual(try t.narrow(dim: 2, start: 1, length: 2).floats(), [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        XCTAssertEqual(try t.slice(dim: 1, start: 0, end: 3, step: 2).floats(),
                       [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23])
        XCTAssertEqual(try t[1].shape, [3, 4])
        XCTAssertEqual(try t[1].floats().first, 12)
        XCTAssertEqual(try t.select(dim: 2, index: 3).floats(), [3, 7, 11, 15, 19, 23])
        XCTAssertEqual(try t.indexSelect(dim: 1, index: try Tensor([2, 0] as [Int64], shape: [2])).floats().prefix(8),
                       [8, 9, 10, 11, 0, 1, 2, 3])
        XCTAssertEqual(try t.unsqueeze(1).shape, [2, 1, 3, 4])
        XCTAssertEqual(try t.unsqueeze(1).squeeze(1).shape, [2, 3, 4])
        XCTAssertEqual(try Tensor([1, 2] as [Float], shape: [2, 1]).expand([2, 3]).floats(), [1, 1, 1, 2, 2, 2])

        let parts = try t.chunked(3, dim: 1)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(try parts[2].floats(), [8, 9, 10, 11, 20, 21, 22, 23])
        XCTAssertEqual(try Tensor.arange(5).chunked(2).map(\.count), [3, 2])

        let pieces = try t.split(sizes: [1, 3], dim: 2)
        XCTAssertEqual(pieces.map(\.shape), [[2, 3, 1], [2, 3, 3]])
        XCTAssertEqual(try pieces[1].floats().prefix(4), [1, 2, 3, 5])
        XCTAssertThrowsError(try t.split(sizes: [1, 2], dim: 2))
        // Each piece's gradient lands in its own place, and an unused piece's is zero.
        let x = try Tensor.randn([5, 2]).requiringGrad(true), w = try Tensor([1, 2, 3, 4, 5] as [Float], shape: [5, 1])
        let rows = try x.split(sizes: [2, 3])
        let loss = try (rows[1] * w.narrow(dim: 0, start: 2, length: 3)).sum()
        XCTAssertEqual(try gradients(of: [loss], withRespectTo: [x])[0]?.floats(), [0, 0, 0, 0, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(try Tensor.cat(parts.reversed(), dim: 1).floats().prefix(4), [8, 9, 10, 11])
        XCTAssertEqual(try Tensor.cat(parts, dim: 1).floats(), try t.floats())
        let s = try Tensor.stack([try Tensor([1, 2] as [Float]), try Tensor([3, 4] as [Float])], dim: 1)
        XCTAssertEqual(s.shape, [2, 2])
        XCTAssertEqual(try s.floats(), [1, 3, 2, 4])

        let padded = try Tensor.ones([1, 1, 1, 2]).padded([1, 0, 0, 1], value: 5)
        XCTAssertEqual(padded.shape, [1, 1, 2, 3])
        XCTAssertEqual(try padded.floats(), [5, 1, 1, 5, 5, 5])
    }

    func testViewsShareMemoryAndClonesDoNot() throws {
        let t = try Tensor.zeros([2, 3])
        let row = try t[1]
        try withNoGrad { try row.fill_(4) }
        XCTAssertEqual(try t.floats(), [0, 0, 0, 4, 4, 4], "select is a view")
        let copy = try t.clone()
        try withNoGrad { try copy.zero_() }
        XCTAssertEqual(try t.floats().last, 4, "clone is a copy")
        XCTAssertEqual(try t.alias().dataAddress, t.dataAddress)
        XCTAssertNotEqual(copy.dataAddress, t.dataAddress)
    }

    func testChannelShuffleMatchesHandComputedPermutation() throws {
        // 6 channels in 2 groups [0 1 2 | 3 4 5] interleave to 0 3 1 4 2 5; in 3 groups to 0 2 4 1 3 5.
        let x = try Tensor((0..<(2 * 6 * 2)).map(Float.init), shape: [2, 6, 1, 2])
        func channels(_ t: Tensor) throws -> [Float] { try t.floats().enumerated().filter { $0.offset % 2 == 0 }.map { $0.element / 2 } }
        XCTAssertEqual(try channels(try x.channelShuffle(groups: 2)), [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11])
        XCTAssertEqual(try channels(try x.channelShuffle(groups: 3)), [0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11])
        XCTAssertEqual(try x.channelShuffle(groups: 2).floats()[2...3], [6, 7], "spatial positions travel with the channel")
        XCTAssertEqual(try x.channelShuffle(groups: 1).floats(), try x.floats())
    }

    func testBroadcastingArithmetic() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let row = try Tensor([10, 20, 30] as [Float], shape: [3]), column = try Tensor([1, 2] as [Float], shape: [2, 1])
        XCTAssertEqual(try (try a + row).floats(), [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(try (try a - column).floats(), [0, 1, 2, 2, 3, 4])
        XCTAssertEqual(try (try a * column).floats(), [1, 2, 3, 8, 10, 12])
        XCTAssertEqual(try (try row / a).floats(), [10, 10, 10, 2.5, 4, 5])
        XCTAssertEqual(try (try a + 1).floats(), [2, 3, 4, 5, 6, 7])
        XCTAssertEqual(try (try a - 1).floats(), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try (try a * 2).floats(), [2, 4, 6, 8, 10, 12])
        XCTAssertEqual(try (try a / 2).floats(), [0.5, 1, 1.5, 2, 2.5, 3])
        XCTAssertEqual(try (try 1 + a).floats(), [2, 3, 4, 5, 6, 7])
        XCTAssertEqual(try (try 10 - a).floats(), [9, 8, 7, 6, 5, 4], "scalar minus tensor")
        XCTAssertEqual(try (try 3 * a).floats(), [3, 6, 9, 12, 15, 18])
        XCTAssertEqual(try (try 12 / a).floats(), [12, 6, 4, 3, 2.4, 2], "scalar over tensor")
        XCTAssertEqual(try (try -a).floats(), [-1, -2, -3, -4, -5, -6])
        XCTAssertEqual(try a.pow(2).floats(), [1, 4, 9, 16, 25, 36])
        XCTAssertEqual(try a.pow(try Tensor([0, 1, 2] as [Float])).floats(), [1, 2, 9, 1, 5, 36])
        XCTAssertEqual(try a.maximum(try Tensor([2, 2, 2] as [Float])).floats(), [2, 2, 3, 4, 5, 6])
        XCTAssertEqual(try a.minimum(try Tensor([2, 2, 2] as [Float])).floats(), [1, 2, 2, 2, 2, 2])
        XCTAssertEqual((try a + Tensor([0.5, 0.25], shape: [2, 1])).dtype, .float64, "float32 + float64 promotes")
    }

    func testUnaryFunctions() throws {
        let x = try Tensor([-2, -0.5, 0, 1, 4] as [Float])
        XCTAssertEqual(try x.relu().floats(), [0, 0, 0, 1, 4])
        XCTAssertEqual(try x.abs().floats(), [2, 0.5, 0, 1, 4])
        XCTAssertEqual(try x.sign().floats(), [-1, -1, 0, 1, 1])
        XCTAssertEqual(try x.floor().floats(), [-2, -1, 0, 1, 4])
        XCTAssertEqual(try x.square().floats(), [4, 0.25, 0, 1, 16])
        XCTAssertEqual(try x.clamp(min: -1, max: 2).floats(), [-1, -0.5, 0, 1, 2])
        XCTAssertEqual(try x.clamp(min: 0).floats(), [0, 0, 0, 1, 4])
        XCTAssertEqual(try x.clamp(max: 0).floats(), [-2, -0.5, 0, 0, 0])
        let p = try Tensor([1, 4, 16] as [Float])
        XCTAssertEqual(try p.sqrt().floats(), [1, 2, 4])
        XCTAssertEqual(try p.rsqrt().floats(), [1, 0.5, 0.25])
        assertClose(try p.log().floats(), [0, Float(Foundation.log(4.0)), Float(Foundation.log(16.0))])
        assertClose(try Tensor([0, 1] as [Float]).exp().floats(), [1, Float(Foundation.exp(1.0))])
        assertClose(try Tensor([0] as [Float]).sigmoid().floats(), [0.5])
        assertClose(try Tensor([0.5] as [Float]).tanh().floats(), [Float(Foundation.tanh(0.5))])
        let odd = try Tensor([1, .nan, .infinity] as [Float])
        XCTAssertEqual(try odd.isNaN().bytes(), [0, 1, 0])
        XCTAssertEqual(try odd.isFinite().bytes(), [1, 0, 0])
        XCTAssertEqual(try odd.isFinite().logicalNot().bytes(), [0, 1, 1])
    }

    func testComparisonsAndWhere() throws {
        let a = try Tensor([1, 2, 3] as [Float]), b = try Tensor([3, 2, 1] as [Float])
        XCTAssertEqual(try a.eq(b).dtype, .bool)
        XCTAssertEqual(try a.eq(b).bytes(), [0, 1, 0])
        XCTAssertEqual(try a.ne(b).bytes(), [1, 0, 1])
        XCTAssertEqual(try a.lt(b).bytes(), [1, 0, 0])
        XCTAssertEqual(try a.le(b).bytes(), [1, 1, 0])
        XCTAssertEqual(try a.gt(b).bytes(), [0, 0, 1])
        XCTAssertEqual(try a.ge(b).bytes(), [0, 1, 1])
        XCTAssertEqual(try a.gt(1.5).bytes(), [0, 1, 1])
        XCTAssertEqual(try a.le(2).bytes(), [1, 1, 0])
        XCTAssertEqual(try a.eq(3).bytes(), [0, 0, 1])
        XCTAssertEqual(try a.ne(3).bytes(), [1, 1, 0])
        XCTAssertEqual(try a.lt(2).bytes(), [1, 0, 0])
        XCTAssertEqual(try a.ge(2).bytes(), [0, 1, 1])
        XCTAssertEqual(try Tensor.where(try a.gt(b), a, try b * 10).floats(), [30, 20, 3])
    }

    func testReductions() throws {
        let t = try Tensor([1, 5, 3, 4, 2, 6] as [Float], shape: [2, 3])
        XCTAssertEqual(try t.sum().shape, [])
        XCTAssertEqual(try t.sum().item(), 21)
        XCTAssertEqual(try t.sum(dim: 0).floats(), [5, 7, 9])
        XCTAssertEqual(try t.sum(dim: 1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(try t.sum(dims: [0, 1]).item(), 21)
        XCTAssertEqual(try t.mean().item(), 3.5)
        XCTAssertEqual(try t.mean(dim: 1).floats(), [3, 4])
        XCTAssertEqual(try t.max().item(), 6)
        XCTAssertEqual(try t.max(dim: 1).floats(), [5, 6])
        XCTAssertEqual(try t.min(dim: 0).floats(), [1, 2, 3])
        XCTAssertEqual(try t.min().item(), 1)
        XCTAssertEqual(try t.argmax(dim: 1).int64s(), [1, 2])
        XCTAssertEqual(try t.argmax(dim: 0, keepDims: true).shape, [1, 3])
        XCTAssertEqual(try t.topkIndices(2, dim: 1).int64s(), [1, 2, 2, 0])
        XCTAssertEqual(try Tensor([3, 4] as [Float]).norm().item(), 5)
    }

    func testMatmul() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let b = try Tensor([1, 0, 0, 1, 1, 1] as [Float], shape: [3, 2])
        XCTAssertEqual(try a.matmul(b).shape, [2, 2])
        XCTAssertEqual(try a.matmul(b).floats(), [4, 5, 10, 11])
    }

    func testInPlaceUpdates() throws {
        let t = try Tensor([1, 2, 3] as [Float])
        try withNoGrad {
            try t.add_(try Tensor([1, 1, 1] as [Float]), alpha: -2)
            XCTAssertEqual(try t.floats(), [-1, 0, 1])
            try t.mul_(3)
            XCTAssertEqual(try t.floats(), [-3, 0, 3])
            try t.mul_(try Tensor([2, 2, -1] as [Float]))
            XCTAssertEqual(try t.floats(), [-6, 0, -3])
            try t.addcmul_(try Tensor([1, 2, 3] as [Float]), try Tensor([2, 2, 2] as [Float]), value: 0.5)
            XCTAssertEqual(try t.floats(), [-5, 2, 0])
            try t.addcdiv_(try Tensor([4, 4, 4] as [Float]), try Tensor([2, 4, 8] as [Float]), value: 2)
            XCTAssertEqual(try t.floats(), [-1, 4, 1])
            try t.copy_(try Tensor([9] as [Float]))
            XCTAssertEqual(try t.floats(), [9, 9, 9], "copy_ broadcasts")
            try t.fill_(2)
            XCTAssertEqual(try t.floats(), [2, 2, 2])
            try t.zero_()
            XCTAssertEqual(try t.floats(), [0, 0, 0])
        }
    }

    func testDescription() {
        XCTAssertEqual(try Tensor([1, 2] as [Float]).description, "Tensor([2], F32: [1, 2])")
        XCTAssertTrue(try Tensor.zeros([5, 5]).description.contains("25 elements"))
    }
}
