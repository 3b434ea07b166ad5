import Foundation
import XCTest
@testable import NAS
import Torch

final class RunTests: SingleThreadTestCase {
    func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-run-\(UUID().uuidString)-\(name)")
    }

    func testProgressBarRendering() {
        let line = ProgressBar.render(label: "epoch 3/10", done: 250, total: 1000, unit: "img", counted: 250, elapsed: 5,
                                      metrics: [("loss", "0.512"), ("acc", "81.3%")], columns: 120)
        XCTAssertTrue(line.hasPrefix("epoch 3/10 ["), line)
        XCTAssertTrue(line.contains("250/1000 img  50.0 img/s  ETA 0:15  loss 0.512  acc 81.3%"), line)
        XCTAssertLessThanOrEqual(line.count, 120)
        let narrow = ProgressBar.render(label: "epoch 3/10", done: 250, total: 1000, unit: "img", counted: 250, elapsed: 5,
                                        metrics: [("loss", "0.512")], columns: 40)
        XCTAssertLessThanOrEqual(narrow.count, 40, narrow)
        let plain = ProgressBar.render(label: "epoch 1/1", done: 10, total: 10, unit: "step", counted: 10, elapsed: 2,
                                       metrics: [], columns: nil, bar: false)
        XCTAssertEqual(plain, "epoch 1/1 10/10 step  5.0 step/s  ETA 0:00")
        XCTAssertEqual(ProgressBar.formatDuration(3725), "1:02:05")
        XCTAssertEqual(ProgressBar.formatDuration(90_061), "1d 1:01:01")
    }

    /// The run's ETA: the epoch's rest at the current rate, then whole epochs at their measured
    /// length (before any, at the training rate alone), the current one with their overhead.
    func testRunETA() {
        var eta = RunETA()
        XCTAssertNil(eta.secondsLeft(images: 0, total: 100, counted: 0, elapsed: 0, epochsAfter: 3), "no rate yet")
        // 40 of 100 images in 20 s: 30 s left in the epoch, then 3 epochs of 50 s each.
        XCTAssertEqual(eta.secondsLeft(images: 40, total: 100, counted: 40, elapsed: 20, epochsAfter: 3), 180)
        // A resumed epoch: 40 images were done before, 20 in 10 s by this process.
        XCTAssertEqual(eta.secondsLeft(images: 60, total: 100, counted: 20, elapsed: 10, epochsAfter: 0), 20)
        eta.epochDidEnd(seconds: 70, trainingSeconds: 50)
        eta.epochDidEnd(seconds: 90, trainingSeconds: 70)
        // Mean epoch 80 s, of which 20 s beyond training: 30 + 20 + 2 * 80.
        XCTAssertEqual(eta.secondsLeft(images: 40, total: 100, counted: 40, elapsed: 20, epochsAfter: 2), 210)
    }

    func testMetricsLogAppendsReadsAndRewinds() throws {
        struct Record: Codable { var epoch: Int; var testTop1: Double }
        let url = temporaryFile("metrics.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            let log = try MetricsLog(url: url)
            for epoch in 1...3 { try log.append(Record(epoch: epoch, testTop1: Double(epoch) * 10)) }
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").first, #"{"epoch":1,"test_top1":10}"#)
        try MetricsLog.rewind(url, keepingThrough: 2)
        XCTAssertEqual(try MetricsLog.read(url).compactMap { $0["epoch"] as? Int }, [1, 2])
        try MetricsLog(url: url).append(Record(epoch: 3, testTop1: 31))
        XCTAssertEqual(try MetricsLog.read(url).compactMap { $0["test_top1"] as? Double }, [10, 20, 31])
    }

    /// Weights, optimizer state, libtorch's generator and the position all round-trip; a
    /// checkpoint of another configuration is refused, naming the setting.
    /// Every save keeps the checkpoint before it; a damaged checkpoint is refused with the way
    /// back to that one, which still loads.
    func testDamagedCheckpointNamesThePreviousOne() throws {
        let url = temporaryFile("checkpoint.safetensors")
        let previous = Checkpoint.previous(of: url)
        defer { for file in [url, previous] { try? FileManager.default.removeItem(at: file) } }
        XCTAssertTrue(previous.lastPathComponent.hasSuffix("checkpoint.prev.safetensors"), previous.path)
        let model = Sequential(try Conv2d(1, 2, kernelSize: 3))
        for epoch in [1, 2] {
            try Checkpoint.save(to: url, kind: "train", configuration: "{}", epoch: epoch, batch: 0, dataSeed: 1, model: model,
                                optimizers: [])
        }
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 5] ^= 0x10
        try bytes.write(to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) {
            let message = "\($0)"
            XCTAssertTrue(message.contains("\(url.path) is damaged"), message)
            XCTAssertTrue(message.contains("mv \(previous.path) \(url.path)"), message)
            XCTAssertFalse(message.contains("\n"), "one line")
        }
        XCTAssertEqual(try Checkpoint.load(from: previous).epoch, 1)
    }

    func testCheckpointRoundTrip() throws {
        let url = temporaryFile("checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        Torch.manualSeed(1)
        let model = Sequential(try Conv2d(1, 2, kernelSize: 3), try BatchNorm2d(2))
        let optimizer = SGD(model.namedParameters(), learningRate: 0.1, momentum: 0.9)
        let loss = try model(try Tensor.randn([2, 1, 5, 5])).square().mean()
        try loss.backward()
        try optimizer.step()
        try Checkpoint.save(to: url, kind: "train", configuration: #"{"learning_rate": 0.1, "layers": 8}"#, epoch: 3,
                            batch: 7, dataSeed: 42, model: model, optimizers: [("sgd", optimizer)],
                            values: ["best": "0.5"])
        let expectedDraw = try Tensor.rand([4]).floats()

        Torch.manualSeed(99)
        let other = Sequential(try Conv2d(1, 2, kernelSize: 3), try BatchNorm2d(2))
        let otherOptimizer = SGD(other.namedParameters(), learningRate: 0.1, momentum: 0.9)
        let checkpoint = try Checkpoint.load(from: url)
        XCTAssertEqual([checkpoint.epoch, checkpoint.batch], [3, 7])
        XCTAssertEqual(checkpoint.dataSeed, 42)
        XCTAssertEqual(checkpoint.values["best"], "0.5")
        try checkpoint.restore(model: other, optimizers: [("sgd", otherOptimizer)])
        XCTAssertEqual(try Tensor.rand([4]).floats(), expectedDraw, "the generator state was not restored")
        for ((name, a), (_, b)) in zip(model.stateDict(), other.stateDict()) { XCTAssertEqual(try a.floats(), try b.floats(), name) }
        XCTAssertEqual(otherOptimizer.stateDict().map(\.0), optimizer.stateDict().map(\.0))

        XCTAssertNoThrow(try checkpoint.checkConfiguration(#"{"layers": 8, "learning_rate": 0.1}"#, kind: "train"))
        XCTAssertThrowsError(try checkpoint.checkConfiguration(#"{"layers": 20, "learning_rate": 0.1}"#, kind: "train")) {
            XCTAssertTrue("\($0)".contains("setting 'layers' is 20 here but 8 in the checkpoint"), "\($0)")
        }
        XCTAssertThrowsError(try checkpoint.checkConfiguration(#"{"layers": 8, "learning_rate": 0.1}"#, kind: "search"))
        XCTAssertNil(Checkpoint.firstDifference(saved: #"{"a": 1, "b": 2}"#, current: #"{"a": 1, "b": 3}"#, ignoring: ["b"]))
        // A folder's held-out share, stored since 2026-12-07: a checkpoint without it resumes;
        // one with it is compared.
        XCTAssertNil(Checkpoint.firstDifference(saved: #"{"a": 1}"#, current: #"{"a": 1, "val_portion": 0.2}"#))
        XCTAssertEqual(Checkpoint.firstDifference(saved: #"{"a": 1, "val_portion": 0.1}"#, current: #"{"a": 1, "val_portion": 0.2}"#),
                       "setting 'val-portion' is 0.2 here but 0.1 in the checkpoint")
        XCTAssertEqual(Checkpoint.firstDifference(saved: #"{"a": 1, "val_portion": 0.1}"#, current: #"{"a": 1}"#),
                       "setting 'val-portion' is missing from this run")
        XCTAssertEqual(Checkpoint.firstDifference(saved: #"{"a": 1}"#, current: #"{"a": 1, "b": 3}"#),
                       "setting 'b' is missing from the checkpoint")
        // A changed method is named, not the first of the settings it changes (in sorted order,
        // the architecture learning rate).
        XCTAssertEqual(Checkpoint.firstDifference(saved: #"{"arch_learning_rate": 0.0003, "method": "darts"}"#,
                                                  current: #"{"arch_learning_rate": 0.0006, "method": "pc-darts"}"#),
                       "setting 'method' is pc-darts here but darts in the checkpoint")
    }

    /// A damaged or foreign file is reported by name, never crashes.
    func testCheckpointRejectsOtherFiles() throws {
        let url = temporaryFile("not-a-checkpoint.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.save([("x", Tensor.zeros([2]))], to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains("not an entrannas checkpoint")) }
        try Data("garbage".utf8).write(to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains(url.lastPathComponent)) }
    }

    func testStopSignalRequestAndReset() {
        let stop = StopSignal()
        XCTAssertFalse(stop.isRequested)
        stop.request("SIGTERM")
        stop.request("SIGINT")
        XCTAssertTrue(stop.isRequested)
        XCTAssertEqual(stop.reason, "SIGTERM")
        stop.reset()
        XCTAssertFalse(stop.isRequested)
    }

    /// SIGINT delivered to the process sets the flag instead of killing it.
    func testInstalledStopSignalCatchesSIGINT() throws {
        let stop = StopSignal()
        stop.install()
        defer { stop.uninstall() }
        kill(getpid(), SIGINT)
        let deadline = Date().addingTimeInterval(5)
        while !stop.isRequested && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(stop.reason, "SIGINT")
    }

    func testRunDirectoryLayout() {
        let run = RunDirectory(path: "/tmp/some-run")
        XCTAssertEqual(run.checkpoint.path, "/tmp/some-run/checkpoint.safetensors")
        XCTAssertEqual(run.metrics.lastPathComponent, "metrics.jsonl")
        XCTAssertEqual(run.model.lastPathComponent, "model.safetensors")
        XCTAssertEqual(run.genotypeText.lastPathComponent, "genotype.txt")
    }
}
