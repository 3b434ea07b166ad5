import Foundation
import XCTest
@testable import NAS
import Torch

/// The search loop end to end on a tiny synthetic dataset: it learns, it writes its files, and a
/// run stopped mid-epoch then resumed ends exactly where an uninterrupted run ends.
final class SearchRunTests: SingleThreadTestCase {
    private func folder(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-\(name)-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func hyper(_ method: SearchMethod) -> SearchHyperparameters {
        var h = SearchHyperparameters(method: method)
        h.epochs = 2
        h.warmupEpochs = 0
        h.batchSize = 8
        h.learningRate = 0.05
        h.archLearningRate = 3e-2
        h.bnRecalibrationBatches = 2
        return h
    }

    private func finish(_ run: SearchRun) throws {
        final class Sink: SearchObserver {
            let run: SearchRun
            init(_ run: SearchRun) { self.run = run }
            func searchWillStart(epochs: Int, stepsPerEpoch: Int, resumedAt: (epoch: Int, step: Int)) {}
            func stepDidFinish(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {}
            func epochDidFinish(_ s: SearchEpochSummary) {
                try! run.saveCheckpoint()
                try! run.record(s, logLine: "epoch \(s.epoch)")
            }
        }
        XCTAssertEqual(try run.searcher.run(observer: Sink(run)), .finished)
    }

    func testResumeAfterAStopMidSearchEqualsAnUninterruptedRun() throws {
        for method in [SearchMethod.entrannas, .entrannasDST] {
            let data = syntheticDataset()
            let config = tinyConfig(method)
            let a = folder("a"), b = folder("b")
            let straight = try SearchRun(config: config, hyper: hyper(method), train: data, seed: 5, output: a, resume: false)
            try finish(straight)

            let first = try SearchRun(config: config, hyper: hyper(method), train: data, seed: 5, output: b, resume: false)
            var steps = 0
            first.searcher.shouldStop = { steps += 1; return steps >= 4 }
            XCTAssertEqual(try first.searcher.run(), .stopped)
            XCTAssertEqual(first.searcher.epoch, 0, "stopped inside the first epoch")
            try first.saveCheckpoint()
            // Scramble the global generator, as a new process would start from another state.
            Torch.manualSeed(999)
            let resumed = try SearchRun(config: config, hyper: hyper(method), train: data, seed: 5, output: b, resume: true)
            XCTAssertEqual(resumed.searcher.step, 4)
            try finish(resumed)

            XCTAssertEqual(resumed.searcher.network.genotype, straight.searcher.network.genotype, "\(method)")
            for ((name, x), (_, y)) in zip(straight.searcher.network.stateDict(), resumed.searcher.network.stateDict()) {
                XCTAssertEqual(x.rawBytes(), y.rawBytes(), "\(method): \(name) differs after resume")
            }
        }
    }

    func testSearchWritesItsFilesAndRefusesToOverwrite() throws {
        let data = syntheticDataset()
        let out = folder("files")
        let run = try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 1, output: out, resume: false)
        try finish(run)
        let report = try run.searcher.consistencyReport()
        try run.writeResults(report: report)
        for file in ["genotype.json", "genotype.txt", "metrics.jsonl", "log.txt", "checkpoint.safetensors", "report.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let text = try String(contentsOf: out.appendingPathComponent("genotype.txt"), encoding: .utf8)
        XCTAssertEqual(try Genotype(dartsText: text), run.searcher.network.genotype)
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for file in ["normal.dot", "reduce.dot"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        // The last epoch reads back with its learning measures.
        let last = try XCTUnwrap(try MetricsLog.lastRecord(SearchEpochSummary.self, in: out.appendingPathComponent("metrics.jsonl")))
        XCTAssertEqual(last.epoch, 2)
        XCTAssertEqual(last.normalStatistics.meanInDegree, 2)
        XCTAssertGreaterThan(last.normalStatistics.meanMaxWeight, 1 / 8)
        XCTAssertLessThan(last.normalStatistics.meanEntropy, Foundation.log(8))
        XCTAssertNil(last.normalStatistics.prunedFraction)
        XCTAssertThrowsError(try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 1, output: out,
                                           resume: false)) { error in
            XCTAssertTrue("\(error)".contains("--resume"))
        }
        // Resuming with another setting names it.
        var other = hyper(.darts)
        other.batchSize = 4
        XCTAssertThrowsError(try SearchRun(config: tinyConfig(.darts), hyper: other, train: data, seed: 1, output: out,
                                           resume: true)) { error in
            XCTAssertTrue("\(error)".contains("batch-size"), "\(error)")
        }
    }

    func testSearchLearnsOnSyntheticData() throws {
        let data = syntheticDataset(count: 192)
        var h = hyper(.entrannas)
        h.epochs = 4
        let run = try SearchRun(config: tinyConfig(.entrannas), hyper: h, train: data, seed: 3, output: folder("learn"), resume: false)
        final class Last: SearchObserver {
            var accuracy = 0.0
            func searchWillStart(epochs: Int, stepsPerEpoch: Int, resumedAt: (epoch: Int, step: Int)) {}
            func stepDidFinish(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {}
            func epochDidFinish(_ s: SearchEpochSummary) { accuracy = s.trainAccuracy }
        }
        let last = Last()
        _ = try run.searcher.run(observer: last)
        XCTAssertGreaterThan(last.accuracy, 0.6, "three visible classes should be learned well above chance (1/3)")
    }

    func testWarmupCoveringEveryEpochIsRejected() {
        var h = hyper(.entrannas)
        h.warmupEpochs = 2
        XCTAssertThrowsError(try h.validate()) { XCTAssertTrue("\($0)".contains("--warmup-epochs 2 covers all 2 epochs")) }
        h.warmupEpochs = 1
        XCTAssertNoThrow(try h.validate())
    }
}
