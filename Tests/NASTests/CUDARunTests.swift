import Foundation
import XCTest
@testable import NAS
import Torch

/// Runs across devices: a search checkpointed on the CPU resumes on a GPU and ends with a
/// genotype and finite weights, and the GPU's memory statistics are read. Skipped, with the
/// reason, where libtorch sees no GPU (scripts/gpu-check.sh runs them on one).
final class CUDARunTests: SingleThreadTestCase {
    private func requireCUDA() throws {
        guard Torch.cudaDeviceCount > 0 else {
            throw XCTSkip("no CUDA device: libtorch \(Torch.version) sees \(Torch.devices.joined(separator: ", "))")
        }
    }

    private func hyper(epochs: Int) -> SearchHyperparameters {
        var h = SearchHyperparameters(method: .entrannasDST)
        h.epochs = epochs
        h.warmupEpochs = 0
        h.batchSize = 8
        h.bnRecalibrationBatches = 2
        return h
    }

    func testACheckpointWrittenOnTheCPUResumesOnTheGPU() throws {
        try requireCUDA()
        let data = syntheticDataset()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-cuda-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let config = tinyConfig(.entrannasDST)
        let stop = StopSignal()
        let cpu = try SearchRun(config: config, hyper: hyper(epochs: 2), train: data, seed: 3, output: out, device: .cpu, stop: stop)
        cpu.observer = RecordingObserver { _, done in if done >= 3 { stop.request() } }
        guard case .stopped(epoch: 0, step: 3) = try cpu.run() else { return XCTFail("expected a stop") }

        let gpu = try SearchRun(config: config, hyper: hyper(epochs: 2), train: data, seed: 3, output: out, device: .cuda(0))
        XCTAssertEqual(gpu.searcher.network.device, .cuda(0))
        try CUDAMemory.resetPeak(.cuda(0))
        guard case .finished = try gpu.run(resume: true) else { return XCTFail("the GPU run stopped") }
        XCTAssertFalse(gpu.searcher.network.genotype.normal.isEmpty)
        for (name, p) in gpu.searcher.network.namedParameters() {
            XCTAssertEqual(try p.isFinite().logicalNot().to(.float32).sum().item(), 0, "\(name) is not finite")
        }
        XCTAssertGreaterThan(try CUDAMemory.peakAllocated(.cuda(0)), 0)
        XCTAssertGreaterThanOrEqual(try CUDAMemory.peakReserved(.cuda(0)), try CUDAMemory.peakAllocated(.cuda(0)))
    }

    func testMemoryStatisticsNeedTheCUDABuild() throws {
        guard !Torch.isCUDALinked else { throw XCTSkip("this build links libtorch_cuda") }
        XCTAssertThrowsError(try CUDAMemory.peakAllocated(.cuda(0))) { XCTAssertTrue("\($0)".contains("wheel-cuda"), "\($0)") }
    }
}
