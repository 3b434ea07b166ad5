import Datasets
import Foundation
import XCTest
@testable import NAS
import Torch

final class TrainingTests: SingleThreadTestCase {

    var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
        folders = []
        super.tearDown()
    }

    func makeFolder() throws -> RunDirectory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-training-\(UUID().uuidString)")
        folders.append(url)
        let run = RunDirectory(url: url)
        try run.prepare(resume: false)
        return run
    }

    /// 8x8 grayscale images of 4 classes: a bright 3x3 square whose corner depends on the class,
    /// on seeded noise, so a tiny network can learn it.
    static func synthetic(_ part: String, count: Int, seed: UInt64) throws -> Dataset {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var images: [UInt8] = []
        var labels: [Int32] = []
        for i in 0..<count {
            let label = i % 4
            var image = (0..<64).map { _ in UInt8(next() % 80) }
            let (top, left) = [(0, 0), (0, 5), (5, 0), (5, 5)][label]
            for y in top..<(top + 3) { for x in left..<(left + 3) { image[y * 8 + x] = 255 } }
            images += image
            labels.append(Int32(label))
        }
        return try Dataset(name: "synthetic", part: part, channels: 1, height: 8, width: 8,
                           classNames: ["a", "b", "c", "d"], images: images, labels: labels)
    }

    /// 3 cells, 4 channels, batch 8, 2 epochs of 6 steps; auxiliary head, drop-path and cutout
    /// all on, so the generator and the loader's augmentation matter for exact resume; epochs but
    /// the last are tested on 8 of the 16 test images.
    static func tinyConfiguration(epochs: Int = 2) -> TrainingConfiguration {
        var c = TrainingConfiguration(preset: .quick, genotype: .dartsV2, genotypeName: "DARTS_V2", dataset: "synthetic",
                                      inputChannels: 1, imageHeight: 8, imageWidth: 8, classes: 4, seed: 3)
        c.layers = 3
        c.initChannels = 4
        c.epochs = epochs
        c.batchSize = 8
        c.limit = 0
        c.evalLimit = 8
        c.learningRate = 0.05
        c.dropPathProb = 0.2
        c.cutout = 2
        c.auxiliaryWeight = 0.4
        return c
    }

    func makeTrainer(_ c: TrainingConfiguration, _ run: RunDirectory, stop: StopSignal = StopSignal()) throws -> Trainer {
        try Trainer(configuration: c, train: Self.synthetic("train", count: 48, seed: 1),
                    test: Self.synthetic("test", count: 16, seed: 2), directory: run, stop: stop)
    }

    /// The presets carry DARTS' evaluation protocol (docs/method.md#evaluation) and a CPU-sized quick run.
    func testPresets() {
        let paper = TrainingConfiguration(preset: .paper, genotype: .dartsV2, genotypeName: "DARTS_V2", dataset: "cifar10",
                                          inputChannels: 3, imageHeight: 32, imageWidth: 32, classes: 10, seed: 0)
        XCTAssertEqual([paper.layers, paper.initChannels, paper.epochs, paper.batchSize, paper.cutout], [20, 36, 600, 96, 16])
        XCTAssertEqual([paper.learningRate, paper.learningRateMin, paper.momentum, paper.weightDecay, paper.gradClip,
                        paper.auxiliaryWeight, paper.dropPathProb], [0.025, 0, 0.9, 3e-4, 5, 0.4, 0.2])
        XCTAssertEqual(paper.network, .dartsCIFAR)
        XCTAssertEqual(paper.dropPathProbability(epoch: 300), 0.1, accuracy: 1e-12)
        let quick = TrainingConfiguration(preset: .quick, genotype: .dartsV2, genotypeName: "DARTS_V2",
                                          dataset: "fashion-mnist", inputChannels: 1, imageHeight: 28, imageWidth: 28,
                                          classes: 10, seed: 0)
        XCTAssertEqual([quick.layers, quick.initChannels], [8, 16])
        XCTAssertNoThrow(try quick.validate())
        var bad = quick
        bad.learningRate = -1
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("--learning-rate")) }
    }

    /// `config.json` of finite settings is what a plain encoder writes; an infinite grad clip
    /// (which `validate()` accepts) is written as "inf" and read back instead of crashing.
    func testConfigurationJSONRoundTripsNonFiniteSettings() throws {
        var c = Self.tinyConfiguration()
        let plain = JSONEncoder()
        plain.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        XCTAssertEqual(c.jsonString(), String(decoding: try plain.encode(c), as: UTF8.self))
        XCTAssertEqual(try TrainingConfiguration(json: c.jsonString(), source: "test"), c)
        c.gradClip = .infinity
        XCTAssertNoThrow(try c.validate())
        XCTAssertTrue(c.jsonString().contains(#""grad_clip" : "inf""#), c.jsonString())
        XCTAssertEqual(try TrainingConfiguration(json: c.jsonString(), source: "test"), c)
    }

    /// Stopping mid-epoch and resuming from the checkpoint with a fresh trainer ends with
    /// bitwise the same weights, buffers and metrics as a run that never stopped.
    func testResumeAfterStopEqualsUninterruptedRun() throws {
        try assertResumeEqualsUninterruptedRun(legacyCheckpoint: false)
    }

    /// The same from a checkpoint written before the loop state was one value.
    func testResumeFromALegacyCheckpointEqualsUninterruptedRun() throws {
        try assertResumeEqualsUninterruptedRun(legacyCheckpoint: true)
    }

    /// The checkpoint keeps the memory layout: a resume in another continues the run, and its
    /// log says that it is then not bitwise the uninterrupted run; one in the same says nothing.
    func testAResumeInAnotherLayoutSaysSo() throws {
        let c = Self.tinyConfiguration()
        let run = try makeFolder()
        let stop = StopSignal()
        func trainer(_ format: MemoryFormat, stop: StopSignal = StopSignal()) throws -> Trainer {
            try Trainer(configuration: c, train: Self.synthetic("train", count: 48, seed: 1),
                        test: Self.synthetic("test", count: 16, seed: 2), directory: run, stop: stop, memoryFormat: format)
        }
        let first = try trainer(.channelsLast, stop: stop)
        first.observer = RecordingObserver { _, done in if done == 8 { stop.request() } }
        XCTAssertEqual(try first.run(), .stopped(epoch: 0, batch: 1))
        XCTAssertEqual(try Checkpoint.load(from: run.checkpoint).values[Checkpoint.memoryFormatKey], "channels-last")
        let note = "note: the checkpoint was written in the channels-last layout, this run uses contiguous; results match "
            + "an uninterrupted run bitwise only with --memory-format channels-last"
        let second = try trainer(.channelsLast, stop: stop)
        stop.reset()
        second.observer = RecordingObserver { _, done in if done == 16 { stop.request() } }
        XCTAssertEqual(try second.run(resume: true), .stopped(epoch: 0, batch: 2))
        XCTAssertFalse(try String(contentsOf: run.log, encoding: .utf8).contains("note: the checkpoint was written in"))
        guard case .finished = try trainer(.contiguous).run(resume: true) else { return XCTFail("the resumed training stopped") }
        XCTAssertTrue(try String(contentsOf: run.log, encoding: .utf8).contains(note))
        XCTAssertEqual(try Checkpoint.load(from: run.checkpoint).values[Checkpoint.memoryFormatKey], "contiguous")
    }

    private func assertResumeEqualsUninterruptedRun(legacyCheckpoint: Bool) throws {
        let c = Self.tinyConfiguration()
        let straightRun = try makeFolder()
        let straight = try makeTrainer(c, straightRun)
        let shown = RecordingObserver()
        straight.observer = shown
        guard case .finished(let expected) = try straight.run() else { return XCTFail("the uninterrupted run stopped") }
        // Every epoch's bar but the last one's also shows when the whole run ends.
        XCTAssertEqual(shown.metricNames["epoch 1/2"], ["run ETA", "loss", "acc"])
        XCTAssertEqual(shown.metricNames["epoch 2/2"], ["loss", "acc"])

        let stoppedRun = try makeFolder()
        let stop = StopSignal()
        let first = try makeTrainer(c, stoppedRun, stop: stop)
        // Batches of 8: after the third batch of the first epoch.
        let observer = RecordingObserver { label, done in if label == "epoch 1/\(c.epochs)" && done == 24 { stop.request() } }
        first.observer = observer
        XCTAssertEqual(try first.run(), .stopped(epoch: 0, batch: 3))
        XCTAssertTrue(stoppedRun.hasCheckpoint)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stoppedRun.model.path))

        XCTAssertGreaterThan(try XCTUnwrap(try Checkpoint.load(from: stoppedRun.checkpoint).cpuSeconds), 0,
                             "the checkpoint keeps the run's CPU time so far")
        XCTAssertEqual(try Checkpoint.load(from: stoppedRun.checkpoint).machines, [MachineDescription.current])
        // As if the first process had used 1000 CPU seconds on another machine (a legacy
        // checkpoint kept neither).
        if legacyCheckpoint {
            try LegacyCheckpoint.rewrite(stoppedRun.checkpoint)
        } else {
            try CheckpointMetadata.editLoop(stoppedRun.checkpoint) { $0["cpuSeconds"] = 1000.0; $0["machines"] = ["machine A"] }
        }
        let before = legacyCheckpoint ? 0.0 : 1000
        let resumed = try makeTrainer(c, stoppedRun)
        let clock = ProcessCPU.seconds()
        XCTAssertEqual(try resumed.run(resume: true), .finished(expected))
        let resumedProcess = ProcessCPU.seconds() - clock
        // The resumed process adds its own CPU time to the earlier total, no more.
        let cpuAtEnd = try XCTUnwrap(try Checkpoint.load(from: stoppedRun.checkpoint).cpuSeconds)
        XCTAssertGreaterThan(cpuAtEnd, before)
        XCTAssertLessThanOrEqual(cpuAtEnd, before + resumedProcess)
        if !legacyCheckpoint {
            // An experiment unit whose first process was killed before it reported: the
            // checkpoint's total stands in; a larger reported total is kept.
            XCTAssertEqual(UnitCost().includingCheckpoint(stoppedRun.checkpoint).cpuSeconds, cpuAtEnd)
            var reported = UnitCost()
            reported.cpuSeconds = cpuAtEnd + 5
            XCTAssertEqual(reported.includingCheckpoint(stoppedRun.checkpoint).cpuSeconds, cpuAtEnd + 5)
            XCTAssertEqual(UnitCost().includingCheckpoint(stoppedRun.file("none.safetensors")).cpuSeconds, 0)
        }
        // The machines of every process up to the last checkpoint, the first one's included even
        // if it never reported (killed with its machine); unknown before they were kept.
        let earlier = legacyCheckpoint ? MachineDescription.notRecorded : "machine A"
        XCTAssertEqual(try Checkpoint.load(from: stoppedRun.checkpoint).machines, [earlier, MachineDescription.current])
        var lastAttempt = UnitCost()
        lastAttempt.machines = [MachineDescription.current]
        XCTAssertEqual(lastAttempt.includingCheckpoint(stoppedRun.checkpoint).machines, [earlier, MachineDescription.current])
        XCTAssertTrue(try String(contentsOf: stoppedRun.log, encoding: .utf8).contains("  machine: \(MachineDescription.current)\n"))

        let a = straight.network.stateDict(), b = resumed.network.stateDict()
        XCTAssertEqual(a.map(\.0), b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) { XCTAssertEqual(try x.rawBytes(), try y.rawBytes(), "\(name) differs after resume") }
        func withoutTimes(_ url: URL) throws -> [NSDictionary] {
            try MetricsLog.read(url).map { record in
                var r = record
                r["seconds"] = nil
                r["images_per_second"] = nil
                r["cpu_seconds"] = nil
                return r as NSDictionary
            }
        }
        XCTAssertEqual(try withoutTimes(straightRun.metrics), try withoutTimes(stoppedRun.metrics))
        // Every epoch's record carries the run's CPU total so far: rising, and the resumed
        // epochs' counting from the first process' (planted) total.
        let cpuPerEpoch = try MetricsLog.read(stoppedRun.metrics).map { try XCTUnwrap($0["cpu_seconds"] as? Double) }
        XCTAssertEqual(cpuPerEpoch, cpuPerEpoch.sorted())
        XCTAssertGreaterThan(try XCTUnwrap(cpuPerEpoch.first), before)
        XCTAssertLessThanOrEqual(try XCTUnwrap(cpuPerEpoch.last), cpuAtEnd)
        let testImages = try MetricsLog.read(stoppedRun.metrics).compactMap { $0["test_images"] as? Int }
        XCTAssertEqual(testImages, [8, 16], "--eval-limit applies to every epoch but the last")
    }

    /// Sets the CPU total in a checkpoint's loop state.
    /// A finished run leaves the weights, genotype, config, metrics and log; the weights load
    /// back into a network that gives the same outputs.
    func testFinishedRunWritesLoadableModel() throws {
        let run = try makeFolder()
        let trainer = try makeTrainer(Self.tinyConfiguration(epochs: 1), run)
        guard case .finished(let result) = try trainer.run() else { return XCTFail("stopped") }
        XCTAssertEqual(result.count, 16)
        XCTAssertGreaterThanOrEqual(result.top5, result.top1)
        for file in [run.model, run.genotypeJSON, run.genotypeText, run.configuration, run.metrics, run.log, run.checkpoint] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), file.lastPathComponent)
        }
        XCTAssertEqual(try Genotype.load(path: run.genotypeJSON.path), .dartsV2)
        XCTAssertEqual(try Genotype.load(path: run.genotypeText.path), .dartsV2)
        let log = try String(contentsOf: run.log, encoding: .utf8)
        XCTAssertTrue(log.contains("epoch 1/1"), log)
        XCTAssertTrue(log.contains("test accuracy"), log)

        let loaded = try TrainedModel.load(path: run.path)
        XCTAssertEqual(loaded.file.lastPathComponent, "model.safetensors")
        XCTAssertEqual(loaded.configuration, trainer.configuration)
        trainer.network.eval()
        let x = try Tensor.randn([2, 1, 8, 8])
        XCTAssertEqual(try loaded.network(x).logits.floats(), try trainer.network(x).logits.floats())
        let fromCheckpoint = try TrainedModel.load(path: run.checkpoint.path)
        XCTAssertEqual(try fromCheckpoint.network(x).logits.floats(), try trainer.network(x).logits.floats())
    }

    /// A diverging loss stops training with one line naming the epoch, the step and the fix,
    /// and no checkpoint holding non-finite weights is written.
    func testNonFiniteLossStopsWithClearError() throws {
        var c = Self.tinyConfiguration()
        c.learningRate = 1e30
        let run = try makeFolder()
        let trainer = try makeTrainer(c, run)
        XCTAssertThrowsError(try trainer.run()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("epoch 1, step "), message)
            XCTAssertTrue(message.contains("lower --learning-rate"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
        XCTAssertFalse(run.hasCheckpoint, "a checkpoint was written for a diverged run")
        // The fix the error names works in the same folder: nothing of the diverged run can be
        // resumed, so its leftovers (an empty metrics.jsonl, its log) do not make the folder taken.
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.metrics.path))
        guard case .finished = try makeTrainer(Self.tinyConfiguration(epochs: 1), run).run() else { return XCTFail("stopped") }
        XCTAssertEqual(try MetricsLog.read(run.metrics).count, 1)
        XCTAssertEqual(try TrainingConfiguration(json: String(contentsOf: run.configuration, encoding: .utf8), source: "config.json").epochs,
                       1, "config.json is the new run's")
        // A folder whose run recorded an epoch is still refused.
        XCTAssertThrowsError(try run.prepare(resume: false)) { XCTAssertTrue("\($0)".contains("already holds a run"), "\($0)") }
    }

    /// Weights that grow huge but stay finite (one step at a learning rate of 1e10) give a NaN
    /// test loss through batch norm: the run stops naming it, as a NaN training loss does, and
    /// writes no model.
    func testANonFiniteTestLossStopsTheRun() throws {
        var c = Self.tinyConfiguration(epochs: 1)
        c.learningRate = 1e10
        c.gradClip = .infinity
        c.limit = 8  // one step: its loss is finite, the weights after it are not usable
        let run = try makeFolder()
        XCTAssertThrowsError(try makeTrainer(c, run).run()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("the test loss became") && message.contains("lower --learning-rate"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.model.path), "a model was written for a diverged run")
        XCTAssertFalse(run.hasCheckpoint)
    }

    /// A run that recorded epochs but never saved a checkpoint (a full disk at the first save)
    /// can be neither resumed nor started over in place: both name the way out, not each other.
    func testARunWithEpochsButNoCheckpointNamesTheWayOut() throws {
        let run = try makeFolder()
        try Data("{\"epoch\": 1}\n".utf8).write(to: run.metrics)
        for resume in [false, true] {
            XCTAssertThrowsError(try run.prepare(resume: resume)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("no checkpoint.safetensors to resume from"), message)
                XCTAssertTrue(message.contains("remove the folder or choose another --output"), message)
                XCTAssertFalse(message.contains("--resume to"), message)
            }
        }
        // With its model there it is a finished training whose checkpoint was deleted.
        try Data("model".utf8).write(to: run.model)
        XCTAssertThrowsError(try run.prepare(resume: true)) {
            XCTAssertTrue("\($0)".contains("holds a finished training (model.safetensors) without its checkpoint"), "\($0)")
        }
    }

    /// Resuming with a setting changed names that setting; a resume without a checkpoint, or a
    /// new run over an old one, is refused.
    func testResumeChecksTheConfiguration() throws {
        let run = try makeFolder()
        let stop = StopSignal()
        let trainer = try makeTrainer(Self.tinyConfiguration(), run, stop: stop)
        let observer = RecordingObserver { _, _ in stop.request() }
        trainer.observer = observer
        XCTAssertEqual(try trainer.run(), .stopped(epoch: 0, batch: 1))
        var changed = Self.tinyConfiguration()
        changed.learningRate = 0.1
        XCTAssertThrowsError(try makeTrainer(changed, run).run(resume: true)) { error in
            XCTAssertTrue("\(error)".contains("setting 'learning-rate' is 0.1 here but 0.05 in the checkpoint"), "\(error)")
        }
        var moved = Self.tinyConfiguration()
        moved.dataPath = "/elsewhere"
        XCTAssertNoThrow(try makeTrainer(moved, run).run(resume: true))
        XCTAssertThrowsError(try run.prepare(resume: false)) { XCTAssertTrue("\($0)".contains("--resume")) }
        let empty = try makeFolder()
        XCTAssertThrowsError(try empty.prepare(resume: true)) { XCTAssertTrue("\($0)".contains("no checkpoint")) }
        // A file in the folder's place is named as one, also for a resume (not "no checkpoint").
        let file = empty.url.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        for resume in [false, true] {
            XCTAssertThrowsError(try RunDirectory(url: file).prepare(resume: resume)) {
                XCTAssertEqual("\($0)", "--output \(file.path) is a file, not a folder; choose another --output")
            }
        }
    }

    /// The position a checkpoint gives (epoch, batch) comes from the file: one outside the run is
    /// refused with a one-line error before metrics.jsonl is rewound or a loop is sized by it.
    func testACheckpointPositionOutsideTheRunIsRefusedBeforeAnythingIsRewritten() throws {
        let run = try makeFolder()
        let stop = StopSignal()
        let trainer = try makeTrainer(Self.tinyConfiguration(), run, stop: stop)
        trainer.observer = RecordingObserver { label, _ in if label == "epoch 2/2" { stop.request() } }
        XCTAssertEqual(try trainer.run(), .stopped(epoch: 1, batch: 1))
        let metrics = try Data(contentsOf: run.metrics)
        let checkpoint = try Data(contentsOf: run.checkpoint)
        XCTAssertEqual(try MetricsLog.read(run.metrics).count, 1)
        // 48 images in batches of 8: 6 batches per epoch, 2 epochs.
        for (epoch, batch) in [(-1, 0), (Int.max, 0), (3, 0), (2, 1), (1, 7), (0, -1)] {
            try checkpoint.write(to: run.checkpoint)
            try CheckpointMetadata.edit(run.checkpoint) { $0["epoch"] = "\(epoch)"; $0["batch"] = "\(batch)" }
            XCTAssertThrowsError(try makeTrainer(Self.tinyConfiguration(), run).run(resume: true), "\(epoch), \(batch)") { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("says epoch \(epoch), batch \(batch), outside this run (2 epochs of 6 batches)"), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
            XCTAssertEqual(try Data(contentsOf: run.metrics), metrics, "metrics.jsonl was rewritten for \(epoch), \(batch)")
        }
        // The last position of a run (every epoch done) and a stop after an epoch's last batch are inside.
        try checkpoint.write(to: run.checkpoint)
        try CheckpointMetadata.edit(run.checkpoint) { $0["batch"] = "6" }
        XCTAssertNoThrow(try makeTrainer(Self.tinyConfiguration(), run).run(resume: true))
    }

    /// A trained model's size comes from its file's metadata: a size the weights in the file
    /// cannot fill (damaged, or crafted to make the build allocate without bound or overflow)
    /// is refused in one line before any network is built.
    func testAModelFileClaimingMoreThanItsWeightsIsRefused() throws {
        let run = try makeFolder()
        guard case .finished = try makeTrainer(Self.tinyConfiguration(epochs: 1), run).run() else { return XCTFail("stopped") }
        let good = try Data(contentsOf: run.model)
        for (key, value) in [("init_channels", 1 << 62), ("layers", 1 << 62), ("layers", 1_000_000), ("classes", 1_000_000_000)] {
            try good.write(to: run.model)
            try CheckpointMetadata.edit(run.model) { metadata in
                var configuration = try XCTUnwrap(try JSONSerialization.jsonObject(
                    with: Data(XCTUnwrap(metadata["configuration"]).utf8)) as? [String: Any])
                configuration[key] = value
                metadata["configuration"] = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
            }
            XCTAssertThrowsError(try TrainedModel.load(path: run.path), "\(key) \(value)") { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("claims a network of") && message.hasSuffix("the file is damaged"), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        // A configuration that is no JSON object, and a format of another version, are named in
        // one line each (they gave Foundation's DecodingError dump and "no format tag").
        for (key, value, complaint) in [("configuration", "{\"layers\": ", "the stored training configuration cannot be read (not valid JSON)"),
                                        ("configuration", "{\"layers\": \"three\"}", "the stored training configuration cannot be read ("),
                                        ("format", "entrannas-model-99", "has format 'entrannas-model-99', which this version")] {
            try good.write(to: run.model)
            try CheckpointMetadata.edit(run.model) { $0[key] = value }
            XCTAssertThrowsError(try TrainedModel.load(path: run.path), "\(key) \(value)") { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(complaint), message)
                XCTAssertFalse(message.contains("\n") || message.contains("DecodingError") || message.contains("Context("), message)
            }
        }
        try good.write(to: run.model)
        XCTAssertNoThrow(try TrainedModel.load(path: run.path))
    }

    /// Training learns: on the synthetic task the test accuracy ends far above chance (25%).
    func testTrainingLearnsSyntheticTask() throws {
        var c = Self.tinyConfiguration(epochs: 8)
        c.dropPathProb = 0
        c.cutout = 0
        let trainer = try makeTrainer(c, try makeFolder())
        guard case .finished(let result) = try trainer.run() else { return XCTFail("stopped") }
        let records = try MetricsLog.read(trainer.directory.metrics)
        let accuracies = records.compactMap { $0["test_top1"] as? Double }
        XCTAssertGreaterThan(result.top1, 60, "test accuracy per epoch: \(accuracies)")
    }

    func testTopKCorrect() throws {
        let logits = try Tensor([0.1, 0.9, 0.0, 0.5, 0.2, 0.3, 0.0, 0.1, 0.8] as [Float], shape: [3, 3])
        let labels = try Tensor([1, 2, 0] as [Int64], shape: [3])
        XCTAssertEqual(try topKCorrect(logits, labels: labels, k: 1), 1)
        XCTAssertEqual(try topKCorrect(logits, labels: labels, k: 2), 2)
        XCTAssertEqual(try topKCorrect(logits, labels: labels, k: 5), 3, "k is capped at the class count")
    }
}

/// Training on a disk that fills up stops with a one-line error and keeps the last checkpoint.
final class TrainingFullDiskTests: SingleThreadTestCase {
    func testAFullDiskStopsTrainingAndKeepsTheLastCheckpoint() throws {
        // Room for the checkpoint, the one kept before it, the one being written and the model.
        let disk = try FullDisk(megabytes: 16)
        let run = RunDirectory(url: disk.folder("train"))
        try run.prepare(resume: false)
        let c = TrainingTests.tinyConfiguration(epochs: 3)
        let trainer = try Trainer(configuration: c, train: TrainingTests.synthetic("train", count: 48, seed: 1),
                                  test: TrainingTests.synthetic("test", count: 16, seed: 2), directory: run, stop: StopSignal())
        var filled = false
        trainer.observer = RecordingObserver { label, _ in
            if label == "epoch 2/3" && !filled {
                disk.fill()
                filled = true
            }
        }
        disk.assertStops({ try trainer.run() }, writingTo: run.path)
        XCTAssertEqual(try Checkpoint.load(from: run.checkpoint).epoch, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.model.path))
        disk.free()
        let resumed = try Trainer(configuration: c, train: TrainingTests.synthetic("train", count: 48, seed: 1),
                                  test: TrainingTests.synthetic("test", count: 16, seed: 2), directory: run, stop: StopSignal())
        guard case .finished = try resumed.run(resume: true) else { return XCTFail("the resumed training stopped") }
        XCTAssertEqual(try MetricsLog.read(run.metrics).compactMap { $0["epoch"] as? Int }, [1, 2, 3])
    }
}
