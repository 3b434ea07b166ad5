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

        // Flags given are compared with what the run stored, also once its search has finished.
        // (The training's flags by its own checkpoint; the search's before the training starts.)
        for (flags, complaint) in [(["--train-layers", "3"], "cannot resume: setting 'layers' is 3 here but 2 in the checkpoint"),
                                   (["--epochs", "2"], "cannot resume: setting 'epochs' is 2 here but 1 in the checkpoint"),
                                   (["--arch-learning-rate", "0.5"], "cannot resume: setting 'arch-learning-rate' is 0.5 here but ")] {
            let other = try EntranNASBinary.run(["run", "--output", output.path, "--resume"] + flags, in: folder, name: "other", expecting: 1)
            XCTAssertTrue(other.errors.contains(complaint), other.errors)
        }

        let resumed = try EntranNASBinary.run(["run", "--output", output.path, "--resume"], in: folder, name: "resume")
        XCTAssertTrue(resumed.output.contains("search: already finished in \(output.path)/search"), resumed.output)
        XCTAssertTrue(resumed.output.contains("training the derived architecture: 2 cells, 4 channels, 1 epoch ->"), resumed.output)
        let again = try String(contentsOf: report, encoding: .utf8)
        XCTAssertTrue(again.contains("seed 3"), again)
        XCTAssertTrue(again.contains("entrannas run: darts on fashion-mnist"), again)
        // The same search and training, reported alike (the seconds aside).
        func accuracyLines(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.contains("%") } }
        XCTAssertEqual(accuracyLines(again), accuracyLines(first))
    }

    /// A run stopped in its search (here by --profile) and resumed without flags trains as it
    /// was told to when it started (training-flags.json); a resume of a folder without a run is refused,
    /// not started as a new run with the defaults.
    func testResumeAfterAnInterruptedSearchKeepsTheTrainingFlags() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("run")
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 200, test: 20)
        let start = try EntranNASBinary.run(["run", "--preset", "quick", "--epochs", "1", "--warmup-epochs", "0", "--batch-size", "16",
                                     "--layers", "2", "--steps", "2", "--init-channels", "4", "--train-epochs", "1", "--train-limit", "100",
                                     "--train-layers", "2", "--train-channels", "4", "--data", data.path, "--profile", "1",
                                     "--output", output.path], in: folder, name: "start")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("train").path), "the run went on after its profile")
        XCTAssertTrue(start.output.contains("(`entrannas run --output \(output.path) --resume` continues it)"), start.output)
        // A damaged training-flags.json is named, with the way out.
        let flags = output.appendingPathComponent("training-flags.json")
        let kept = try Data(contentsOf: flags)
        try Data("{\"preset\": 3}".utf8).write(to: flags)
        let damaged = try EntranNASBinary.run(["run", "--output", output.path, "--resume"], in: folder, name: "damaged", expecting: 1)
        XCTAssertTrue(damaged.errors.contains("\(flags.path) is damaged ("), damaged.errors)
        XCTAssertTrue(damaged.errors.contains("remove it and give them (--train-preset, --train-*) with --resume"), damaged.errors)
        try kept.write(to: flags)

        let resumed = try EntranNASBinary.run(["run", "--output", output.path, "--resume"], in: folder, name: "resume")
        XCTAssertTrue(resumed.output.contains("training the derived architecture: 2 cells, 4 channels, 1 epoch ->"), resumed.output)

        let none = folder.appendingPathComponent("none")
        let refused = try EntranNASBinary.run(["run", "--output", none.path, "--resume"], in: folder, name: "none", expecting: 1)
        XCTAssertTrue(refused.errors.contains("cannot resume: \(none.path)/search holds no search to continue"), refused.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: none.appendingPathComponent("search/log.txt").path), "a new run started")
    }

    /// A second run started on a folder whose run is in its search is refused before it writes
    /// anything there: the first run's training flags stay the ones a resume takes.
    func testASecondRunLeavesTheFirstRunsTrainingFlags() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("run")
        // 2,000 images: a first epoch long enough (seconds) for the second run to start inside it.
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 2000, test: 20)
        let common = ["run", "--preset", "quick", "--epochs", "50", "--warmup-epochs", "0", "--batch-size", "16", "--layers", "2",
                      "--steps", "2", "--init-channels", "4", "--data", data.path, "--output", output.path]
        let first = try EntranNASBinary.Running(common + ["--train-layers", "2", "--train-channels", "4"], in: folder, name: "first")
        defer { if first.process.isRunning { first.process.terminate(); _ = first.wait(seconds: 60) } }
        let log = output.appendingPathComponent("search/log.txt")
        let deadline = Date().addingTimeInterval(120)
        while first.process.isRunning && Date() < deadline && !FileManager.default.fileExists(atPath: log.path) { usleep(50_000) }
        XCTAssertTrue(first.process.isRunning, first.errors)
        let flags = output.appendingPathComponent("training-flags.json")
        let written = try String(contentsOf: flags, encoding: .utf8)
        let second = try EntranNASBinary.run(common + ["--train-layers", "3"], in: folder, name: "second", expecting: 1)
        XCTAssertTrue(second.errors.contains("another entrannas process (pid \(first.process.processIdentifier)) is running in \(output.path)"),
                      second.errors)
        XCTAssertEqual(try String(contentsOf: flags, encoding: .utf8), written)
    }
}
