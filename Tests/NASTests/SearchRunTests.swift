import Foundation
import XCTest
import Datasets
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

    private func finish(_ run: SearchRun, resume: Bool = false) throws {
        guard case .finished = try run.run(resume: resume) else { return XCTFail("the search stopped") }
    }

    /// Also for a checkpoint written before the loop state was one value (`legacy`), and with
    /// the temperature annealed (`annealed`: it is a function of the epoch).
    func testResumeAfterAStopMidSearchEqualsAnUninterruptedRun() throws {
        for (method, legacy, annealed) in [(SearchMethod.entrannas, false, false), (.entrannasDST, true, false),
                                           (.entrannasDST, false, true)] {
            let data = syntheticDataset()
            var config = tinyConfig(method)
            if annealed { config.temperatureEnd = 0.2 }
            let a = folder("a"), b = folder("b")
            let straight = try SearchRun(config: config, hyper: hyper(method), train: data, seed: 5, output: a)
            try finish(straight)

            let stop = StopSignal()
            let first = try SearchRun(config: config, hyper: hyper(method), train: data, seed: 5, output: b, stop: stop)
            first.observer = RecordingObserver { _, done in if done >= 4 { stop.request() } }
            guard case .stopped(epoch: 0, step: 4) = try first.run() else { return XCTFail("expected a stop at step 4") }
            XCTAssertEqual(first.loop.epoch, 0, "stopped inside the first epoch")
            if legacy { try LegacyCheckpoint.rewrite(b.appendingPathComponent("checkpoint.safetensors")) }
            // Scramble the global generator, as a new process would start from another state.
            Torch.manualSeed(999)
            let resumed = try SearchRun(config: config, hyper: hyper(method), train: data, seed: 5, output: b)
            try finish(resumed, resume: true)
            let log = try String(contentsOf: b.appendingPathComponent("log.txt"), encoding: .utf8)
            XCTAssertTrue(log.contains("resumed at epoch 1, step 4"), "resumed where it stopped")
            // CPU times compare only within one machine: each process of the run names its own.
            XCTAssertEqual(log.components(separatedBy: "  machine: \(MachineDescription.current)\n").count - 1, 2, log)

            XCTAssertEqual(resumed.searcher.network.genotype, straight.searcher.network.genotype, "\(method)")
            for ((name, x), (_, y)) in zip(straight.searcher.network.stateDict(), resumed.searcher.network.stateDict()) {
                XCTAssertEqual(try x.rawBytes(), try y.rawBytes(), "\(method): \(name) differs after resume")
            }
        }
    }

    /// The derived cell's agreement with the epoch before's: none at the first epoch, and the
    /// same after a stop inside the second epoch and a resume as without the stop (the cell it
    /// compares with travels in the checkpoint).
    func testGenotypeAgreementIsTheSameAfterAResumeInTheNextEpoch() throws {
        let method = SearchMethod.entrannasDST
        let data = syntheticDataset()
        let a = folder("a"), b = folder("b")
        // A fast architecture rate, so that the second epoch derives another cell than the first.
        var h = hyper(method)
        h.archLearningRate = 1
        let straight = try SearchRun(config: tinyConfig(method), hyper: h, train: data, seed: 5, output: a)
        try finish(straight)
        let steps = straight.searcher.trainLoader.batchCount
        let stop = StopSignal()
        let first = try SearchRun(config: tinyConfig(method), hyper: h, train: data, seed: 5, output: b, stop: stop)
        first.observer = RecordingObserver { _, done in if done >= steps + 1 { stop.request() } }
        guard case .stopped(epoch: 1, step: _) = try first.run() else { return XCTFail("expected a stop in the second epoch") }
        Torch.manualSeed(999)
        try finish(try SearchRun(config: tinyConfig(method), hyper: h, train: data, seed: 5, output: b), resume: true)
        func records(_ folder: URL) throws -> [[String: Any]] { try MetricsLog.read(folder.appendingPathComponent("metrics.jsonl")) }
        let expected = try records(a)
        XCTAssertEqual(expected.count, 2)
        XCTAssertNil(expected[0]["genotype_agreement"])
        let genotypes = try expected.map { try Genotype(dartsText: try XCTUnwrap($0["genotype"] as? String)) }
        let agreement = try XCTUnwrap(expected[1]["genotype_agreement"] as? Double)
        XCTAssertEqual(agreement, genotypes[1].agreement(with: genotypes[0]), accuracy: 1e-12)
        XCTAssertLessThan(agreement, 1, "the cell did not change: the test cannot tell the epochs compared")
        XCTAssertEqual(try records(b).map { $0["genotype_agreement"] as? Double }, [nil, agreement])
        let log = try String(contentsOf: b.appendingPathComponent("log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains(String(format: "derived cell against epoch 1's: agreement %.2f", agreement)), log)
        // Only between two epochs that both searched: none in warm-up, none in the first epoch after.
        var warm = h
        (warm.epochs, warm.warmupEpochs) = (3, 1)
        let c = folder("c")
        try finish(try SearchRun(config: tinyConfig(method), hyper: warm, train: data, seed: 5, output: c))
        XCTAssertEqual(try records(c).map { $0["genotype_agreement"] == nil }, [true, true, false])
        // An experiment's search unit reads it from the last epoch.
        let unit = try UnitResult.search(ExperimentUnit(kind: .search, method: method, seed: 5), folder: RunDirectory(url: a), cost: UnitCost())
        XCTAssertEqual(unit.genotypeAgreement, agreement)
    }

    /// The settings a checkpoint stores give back the run's space, schedule, dataset and folder
    /// (`StoredSearch`, what `search --resume` without flags continues with), for every method
    /// and with the optional fields set; text that is not such settings is named as damaged.
    func testStoredSettingsGiveBackTheSearch() throws {
        let data = syntheticDataset()
        for method in SearchMethod.allCases {
            var config = tinyConfig(method)
            config.temperatureEnd = 0.3
            if method == .entrannas { config.engineEdges = .derived }
            if method == .entrannasDST {
                (config.dstMaxInDegree, config.dstSparsity, config.dstTransit) = (3, 0.02, .unweighted)
                config.dstThresholdPull = .mean
                config.dstNone = .masked
                config.primitives.insert(.none, at: 0)
            }
            var h = hyper(method)
            (h.evalLimit, h.gapEvery, h.limit) = (16, 2, 40)
            let run = try SearchRun(config: config, hyper: h, train: data, seed: 7, output: folder("stored"))
            // A search written before the folder was stored has none.
            let path: String? = method == .darts ? nil : "/data/fashion"
            run.dataPath = path
            let stored = try StoredSearch(json: run.settingsJSON, seed: 7, source: "checkpoint.safetensors")
            XCTAssertEqual(stored.config, config, "\(method)")
            XCTAssertEqual(stored.hyper, h, "\(method)")
            XCTAssertEqual(stored.dataset, data.name)
            XCTAssertEqual(stored.dataPath, path)
            // An in-memory dataset that was not cut from a folder stores neither folder setting.
            XCTAssertNil(stored.validationPortion)
            XCTAssertNil(stored.unreadable)
            run.validationPortion = 0.25
            XCTAssertEqual(try StoredSearch(json: run.settingsJSON, seed: 7, source: "c").validationPortion, 0.25)
        }
        let good = try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 7, output: folder("stored")).settingsJSON
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
        object["unreadable"] = "skip"
        let skip = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        XCTAssertEqual(try StoredSearch(json: skip, seed: 7, source: "c").unreadable, .skip)
        var damaged: [String] = []
        for (key, value) in [("val_portion", 1.5 as Any), ("val_portion", "0.1" as Any), ("unreadable", "ignore" as Any)] {
            var bad = object
            bad[key] = value
            damaged.append(String(decoding: try JSONSerialization.data(withJSONObject: bad), as: UTF8.self))
        }
        for text in ["[]", "{\"dataset\": \"x 1x8x8 2 classes\"}", "{\"method\": \"darts\"}"] + damaged {
            XCTAssertThrowsError(try StoredSearch(json: text, seed: 1, source: "c.safetensors")) { error in
                XCTAssertTrue("\(error)".hasPrefix("c.safetensors: the stored search settings cannot be read ("), "\(error)")
            }
        }
    }

    /// A search checkpoint's validation-batch position comes from the file: a negative one, or
    /// one past the steps taken (one validation batch each), is refused as damage.
    func testAValidationCursorOutsideTheStepsTakenIsRefused() throws {
        let data = syntheticDataset()
        let out = folder("cursor")
        let stop = StopSignal()
        let first = try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 5, output: out, stop: stop)
        first.observer = RecordingObserver { _, done in if done >= 4 { stop.request() } }
        guard case .stopped(epoch: 0, step: 4) = try first.run() else { return XCTFail("expected a stop at step 4") }
        let url = out.appendingPathComponent("checkpoint.safetensors")
        let saved = try Data(contentsOf: url)
        for cursor in [-1, 5, Int.max] {
            try saved.write(to: url)
            try CheckpointMetadata.editLoop(url) { loop in
                var job = loop["job"] as? [String: Any] ?? [:]
                job["validCursor"] = cursor
                loop["job"] = job
            }
            let resumed = try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 5, output: out)
            XCTAssertThrowsError(try resumed.run(resume: true), "\(cursor)") {
                XCTAssertTrue("\($0)".contains("validation-batch position \(cursor) is outside 0...4"), "\($0)")
            }
        }
        try saved.write(to: url)
        try finish(try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 5, output: out), resume: true)
    }

    func testSearchWritesItsFilesAndRefusesToOverwrite() throws {
        let data = syntheticDataset()
        let out = folder("files")
        let run = try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 1, output: out)
        let observer = RecordingObserver()
        run.observer = observer
        try finish(run)
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
        // What was shown was logged; the closing line names only files that exist.
        let log = try String(contentsOf: out.appendingPathComponent("log.txt"), encoding: .utf8)
        for line in observer.lines { XCTAssertTrue(log.contains(line.split(separator: "\n")[0]), line) }
        let wrote = try XCTUnwrap(observer.lines.last { $0.hasPrefix("wrote ") })
        for name in wrote.dropFirst(6).components(separatedBy: " in ")[0].components(separatedBy: ", ") {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        XCTAssertTrue(wrote.contains("metrics.jsonl") && wrote.contains("report.json"), wrote)
        // The last epoch reads back with its learning measures.
        let last = try XCTUnwrap(try MetricsLog.lastRecord(SearchEpochSummary.self, in: out.appendingPathComponent("metrics.jsonl")))
        XCTAssertEqual(last.epoch, 2)
        XCTAssertEqual(last.normalStatistics.meanInDegree, 2)
        XCTAssertGreaterThan(last.normalStatistics.meanMaxWeight, 1 / 8)
        XCTAssertLessThan(last.normalStatistics.meanEntropy, Foundation.log(8))
        XCTAssertNil(last.normalStatistics.prunedFraction)
        XCTAssertThrowsError(try SearchRun(config: tinyConfig(.darts), hyper: hyper(.darts), train: data, seed: 1, output: out)
            .run()) { error in
            XCTAssertTrue("\(error)".contains("--resume"))
        }
        // Resuming with another setting names it.
        var other = hyper(.darts)
        other.batchSize = 4
        XCTAssertThrowsError(try SearchRun(config: tinyConfig(.darts), hyper: other, train: data, seed: 1, output: out)
            .run(resume: true)) { error in
            XCTAssertTrue("\(error)".contains("batch-size"), "\(error)")
        }
    }

    func testSearchLearnsOnSyntheticData() throws {
        let data = syntheticDataset(count: 192)
        var h = hyper(.entrannas)
        h.epochs = 4
        let out = folder("learn")
        let run = try SearchRun(config: tinyConfig(.entrannas), hyper: h, train: data, seed: 3, output: out)
        _ = try run.run()
        let last = try XCTUnwrap(try MetricsLog.lastRecord(SearchEpochSummary.self, in: out.appendingPathComponent("metrics.jsonl")))
        XCTAssertGreaterThan(last.trainAccuracy, 0.6, "three visible classes should be learned well above chance (1/3)")
    }

    /// `gapEvery`: every epoch records the super-net's and the derived net's accuracy; the last
    /// epoch's equal the end-of-search report, and measuring leaves the search unchanged.
    func testGapEveryEpochIsRecordedAndChangesNothing() throws {
        let data = syntheticDataset()
        var measured = hyper(.entrannas)
        measured.gapEvery = 1
        let a = folder("gap"), b = folder("nogap")
        let withGap = try SearchRun(config: tinyConfig(.entrannas), hyper: measured, train: data, seed: 4, output: a)
        guard case .finished(let report) = try withGap.run() else { return XCTFail("the search stopped") }
        let plain = try SearchRun(config: tinyConfig(.entrannas), hyper: hyper(.entrannas), train: data, seed: 4, output: b)
        try finish(plain)

        let records = try MetricsLog.read(a.appendingPathComponent("metrics.jsonl"))
        XCTAssertEqual(records.compactMap { $0["derived_accuracy"] as? Double }.count, 2, "one measurement per epoch")
        let last = try XCTUnwrap(try MetricsLog.lastRecord(SearchEpochSummary.self, in: a.appendingPathComponent("metrics.jsonl")))
        XCTAssertEqual(last.superNetAccuracy, report.superNetAccuracy)
        XCTAssertEqual(last.derivedAccuracy, report.derivedAccuracy)
        XCTAssertEqual(try XCTUnwrap(last.gap), 100 * report.gap, accuracy: 1e-9)
        // The final report's diagnostics: one entry per Engine-cell, and the search's statistics.
        XCTAssertEqual(report.engineCellAblation?.map(\.cell), tinyConfig(.entrannas).engineCells.sorted())
        XCTAssertNotNil(report.derivedAccuracySearchStatistics)
        XCTAssertTrue(report.table.contains("derived net, search's BN stats"), report.table)
        XCTAssertNil(try MetricsLog.lastRecord(SearchEpochSummary.self, in: b.appendingPathComponent("metrics.jsonl"))?.derivedAccuracy)
        XCTAssertEqual(withGap.searcher.network.genotype, plain.searcher.network.genotype)
        for ((name, x), (_, y)) in zip(withGap.searcher.network.stateDict(), plain.searcher.network.stateDict()) {
            XCTAssertEqual(try x.rawBytes(), try y.rawBytes(), "\(name) differs when the gap is measured")
        }
        XCTAssertTrue(try String(contentsOf: a.appendingPathComponent("log.txt"), encoding: .utf8).contains("consistency: super-net"))
        var bad = measured
        bad.gapEvery = 0
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("--gap-every")) }
    }

    func testWarmupCoveringEveryEpochIsRejected() {
        var h = hyper(.entrannas)
        h.warmupEpochs = 2
        XCTAssertThrowsError(try h.validate()) { XCTAssertTrue("\($0)".contains("--warmup-epochs 2 covers all 2 epochs")) }
        h.warmupEpochs = 1
        XCTAssertNoThrow(try h.validate())
    }
}

/// A search on a disk that fills up: the run stops with an error naming the file and the cause,
/// the last good checkpoint stays readable, no temporary file is left, and after space is freed
/// the resumed run finishes with one metrics record per epoch.
final class SearchRunFullDiskTests: SingleThreadTestCase {
    func testAFullDiskStopsTheSearchAndKeepsTheLastCheckpoint() throws {
        let disk = try FullDisk()
        let out = disk.folder("search")
        let h = tinyHyper(.entrannas, epochs: 3)
        let data = syntheticDataset()
        let run = try SearchRun(config: tinyConfig(.entrannas), hyper: h, train: data, seed: 2, output: out)
        let steps = run.searcher.trainLoader.batchCount
        var filled = false
        run.observer = RecordingObserver { label, done in
            // Full from the first step of the second epoch on: epoch 1's checkpoint is on disk.
            if label == "search" && done == steps + 1 && !filled {
                disk.fill()
                filled = true
            }
        }
        disk.assertStops({ try run.run() }, writingTo: out.path)
        let checkpoint = try Checkpoint.load(from: out.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(checkpoint.epoch, 1, "the checkpoint of the last finished epoch is intact")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.contains(".tmp") }
        XCTAssertEqual(leftovers, [], "no temporary file is left behind")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("genotype.json").path))

        disk.free()
        let resumed = try SearchRun(config: tinyConfig(.entrannas), hyper: h, train: data, seed: 2, output: out)
        guard case .finished = try resumed.run(resume: true) else { return XCTFail("the resumed search stopped") }
        let epochs = try MetricsLog.read(out.appendingPathComponent("metrics.jsonl")).compactMap { $0["epoch"] as? Int }
        XCTAssertEqual(epochs, [1, 2, 3])
    }
}
