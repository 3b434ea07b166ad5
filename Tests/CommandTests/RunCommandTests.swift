import Foundation
import XCTest

/// `entrannas run`, the main job's command: search, brief training, report.
final class RunCommandTests: XCTestCase {
    /// `run --output DIR --resume` alone continues a run started with other flags than the
    /// defaults, both parts with what they stored (the search's method, seed and schedule, the
    /// training's layout); a training flag that differs from the stored one is named.
    func testResumeWithoutFlagsTakesWhatBothPartsStored() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("run")
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 200, test: 20)
        _ = try EntranNASBinary.run(["run", "--method", "darts", "--preset", "quick", "--seed", "3", "--epochs", "1", "--warmup-epochs", "0",
                                     "--batch-size", "16", "--layers", "2", "--steps", "2", "--init-channels", "4",
                                     "--train-epochs", "1", "--train-limit", "100", "--train-layers", "2", "--train-channels", "4",
                                     "--data", data.path, "--output", output.path], in: folder, name: "start")
        let report = output.appendingPathComponent("report.md")
        let first = try String(contentsOf: report, encoding: .utf8)
        try FileManager.default.removeItem(at: report)

        let other = try EntranNASBinary.run(["run", "--output", output.path, "--resume", "--train-layers", "3"], in: folder, name: "other",
                                            expecting: 1)
        XCTAssertTrue(other.errors.contains("cannot resume: setting 'layers' is 3 here but 2 in the checkpoint"), other.errors)

        let resumed = try EntranNASBinary.run(["run", "--output", output.path, "--resume"], in: folder, name: "resume")
        XCTAssertTrue(resumed.output.contains("search: already finished in \(output.path)/search"), resumed.output)
        XCTAssertTrue(resumed.output.contains("training the derived architecture: 2 cells, 4 channels, 1 epochs"), resumed.output)
        let again = try String(contentsOf: report, encoding: .utf8)
        XCTAssertTrue(again.contains("seed 3"), again)
        XCTAssertTrue(again.contains("darts"), again)
        // The same search and training, reported alike (the seconds aside).
        func accuracyLines(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.contains("%") } }
        XCTAssertEqual(accuracyLines(again), accuracyLines(first))
    }
}
