import Foundation
import XCTest
import Torch

/// Seeds, generator state, threads and the allocator setting (Runtime.swift).
final class RuntimeTests: XCTestCase {
    /// One draw from every random source, concatenated as bytes.
    private func draws() throws -> [[UInt8]] {
        [try Tensor.randn([4, 3]).rawBytes(), try Tensor.rand([5]).rawBytes(), try Tensor.uniform([3], low: -2, high: 2).rawBytes(),
         try Tensor.normal([3], mean: 1, std: 0.1).rawBytes(), try Tensor.bernoulli([16], p: 0.5).rawBytes(),
         try Tensor.randperm(10).rawBytes(), try dropout(try Tensor.ones([16]), p: 0.5, training: true).rawBytes(),
         try Conv2d(2, 2, kernelSize: 3).weight.rawBytes()]
    }

    func testSameSeedGivesIdenticalTensors() throws {
        Torch.manualSeed(42)
        let first = try draws()
        Torch.manualSeed(42)
        XCTAssertEqual(try draws(), first, "every source repeats bit for bit")
    }

    func testDifferentSeedsGiveDifferentTensors() throws {
        Torch.manualSeed(42)
        let first = try draws()
        Torch.manualSeed(43)
        let second = try draws()
        for (i, (a, b)) in zip(first, second).enumerated() { XCTAssertNotEqual(a, b, "source \(i)") }
        XCTAssertNotEqual(try draws(), second, "the generator advances between draws")
    }

    func testRNGStateSaveRestoreReproducesDraws() throws {
        Torch.manualSeed(5)
        _ = try Tensor.randn([7])
        let state = try Torch.rngState()
        XCTAssertEqual(state.dtype, .uint8)
        let saved = try state.clone()
        let expected = try draws()
        _ = try draws()
        try Torch.setRNGState(saved)
        XCTAssertEqual(try draws(), expected, "restoring the state replays the same numbers")

        // Through a checkpoint file, as a resumed search does.
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("rng.safetensors")
        try Torch.setRNGState(saved)
        try Safetensors.save([("rng_state", Torch.rngState())], to: url)
        let again = try draws()
        try Torch.setRNGState(try Safetensors.load(from: url).tensors["rng_state"]!)
        XCTAssertEqual(try draws(), again)
        XCTAssertEqual(again, expected)
    }

    /// A refused state leaves the generator as it was: the next draws are those it would have made.
    func testBadRNGStateThrows() throws {
        Torch.manualSeed(1)
        let expected = try Tensor.randn([4]).floats()
        Torch.manualSeed(1)
        assertThrowsTorchError("wrong-sized state", containing: ["random generator"]) {
            try Torch.setRNGState(Tensor.zeros([3], dtype: .uint8))
        }
        assertThrowsTorchError("float state", containing: ["random generator"]) {
            try Torch.setRNGState(Tensor.zeros([5056]))
        }
        XCTAssertEqual(try Tensor.randn([4]).floats(), expected, "the generator moved or broke")
    }

    func testThreadCountCanBeSetAndRead() {
        let original = Torch.threadCount
        XCTAssertGreaterThanOrEqual(original, 1)
        if ProcessInfo.processInfo.environment["ENTRANNAS_THREADS"] == nil {
            XCTAssertEqual(original, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), "defaults to the core count")
        }
        Torch.threadCount = 1
        XCTAssertEqual(Torch.threadCount, 1)
        Torch.threadCount = 0
        XCTAssertEqual(Torch.threadCount, 1, "clamped to at least one")
        Torch.threadCount = original
        XCTAssertEqual(Torch.threadCount, original)
    }

    func testRuntimeDescription() {
        XCTAssertTrue(Torch.version.hasPrefix("1.") || Torch.version.hasPrefix("2."), Torch.version)
        XCTAssertEqual(Torch.devices.first, "cpu")
        // Under AddressSanitizer malloc is the sanitizer's, which mallopt does not tune.
        let environment = ProcessInfo.processInfo.environment
        if environment["ENTRANNAS_NO_MALLOPT"] == nil && environment["ENTRANNAS_SANITIZER"] == nil {
            XCTAssertTrue(Torch.allocatorTuned, "mallopt was applied when the shim loaded")
            XCTAssertTrue(Torch.allocatorDescription.contains("mmap_threshold") || Torch.allocatorDescription.contains("tcmalloc"))
        }
    }
}
