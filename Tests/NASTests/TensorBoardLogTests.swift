import Foundation
import XCTest
@testable import NAS

/// The scalars a search writes for TensorBoard: tags, one point per epoch, and no duplicates
/// after a resume (the folder is rebuilt from metrics.jsonl).
final class TensorBoardLogTests: SingleThreadTestCase {
    private func points(_ folder: URL) throws -> (files: Int, steps: [String: [Int]]) {
        let files = try TensorBoardEventReader.eventFiles(in: folder.appendingPathComponent("tensorboard"))
        var steps: [String: [Int]] = [:]
        for file in files {
            for event in try TensorBoardEventReader(fileURL: file).readEvents() {
                for value in event.values { steps[value.tag, default: []].append(event.step) }
            }
        }
        return (files.count, steps)
    }

    func testTagsAndStepsAndResumeWithoutDuplicates() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-tb-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let h = tinyHyper(.entrannasDST, epochs: 3)
        let data = syntheticDataset()
        let stop = StopSignal()
        let first = try SearchRun(config: tinyConfig(.entrannasDST), hyper: h, train: data, seed: 4, output: out, stop: stop)
        let steps = first.searcher.trainLoader.batchCount
        first.observer = RecordingObserver { _, done in if done == steps + 2 { stop.request() } }
        guard case .stopped(epoch: 1, step: 2) = try first.run() else { return XCTFail("expected a stop in epoch 2") }
        XCTAssertEqual(try points(out).steps["loss/train"], [1])

        let resumed = try SearchRun(config: tinyConfig(.entrannasDST), hyper: h, train: data, seed: 4, output: out)
        guard case .finished = try resumed.run(resume: true) else { return XCTFail("the resumed search stopped") }
        let (files, tags) = try points(out)
        XCTAssertEqual(files, 1, "the resumed run rebuilt one event file")
        for tag in ["loss/train", "loss/valid", "accuracy/valid", "schedule/learning_rate", "time/step_seconds",
                    "weights_normal/edge00/sep_conv_3x3", "weights_reduce/edge04/skip_connect",
                    "dst/threshold_normal/node2", "dst/normal_pruned_fraction", "architecture/normal_mean_max_weight"] {
            XCTAssertEqual(tags[tag], [1, 2, 3], tag)
        }
        XCTAssertNil(tags["architecture/architecture_updated"], "booleans are not scalars")
        // Values agree with metrics.jsonl.
        let records = try MetricsLog.read(out.appendingPathComponent("metrics.jsonl"))
        let file = try TensorBoardEventReader.eventFiles(in: out.appendingPathComponent("tensorboard"))[0]
        let losses = try TensorBoardEventReader(fileURL: file).readEvents()
            .flatMap { $0.values }.filter { $0.tag == "loss/train" }.compactMap(\.simpleValue)
        XCTAssertEqual(losses, records.map { Float($0["train_loss"] as! Double) })
    }
}
