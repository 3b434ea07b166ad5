import Foundation
import Torch
import XCTest

/// What a job scheduler and a second user do to a run: SIGTERM (Slurm, Kubernetes and systemd
/// send it) stops search and training like Ctrl-C, with a checkpoint; a second process on a
/// folder in use is refused, and a run killed with -9 leaves the folder free.
final class RunFolderTests: XCTestCase {
    private func search(_ output: URL, epochs: Int = 40) -> [String] {
        ["search", "--method", "entrannas", "--preset", "quick", "--epochs", "\(epochs)", "--warmup-epochs", "0",
         "--limit", "512", "--batch-size", "16", "--layers", "2", "--steps", "2", "--init-channels", "4", "--output", output.path]
    }

    /// Waits until `file` exists (or the process ended, or 120 s passed).
    private func waitFor(_ file: URL, _ run: EntranNASBinary.Running) {
        let deadline = Date().addingTimeInterval(120)
        while run.process.isRunning && Date() < deadline && !FileManager.default.fileExists(atPath: file.path) { usleep(20_000) }
    }

    func testASecondProcessIsRefusedAndAKilledRunLeavesTheFolderFree() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        let first = try EntranNASBinary.Running(search(output), in: folder, name: "first")
        waitFor(output.appendingPathComponent("checkpoint.safetensors"), first)
        XCTAssertTrue(first.process.isRunning, first.errors)

        for (name, extra) in [("second", [String]()), ("resumed", ["--resume"])] {
            let second = try EntranNASBinary.run(search(output) + extra, in: folder, name: name, seconds: 60, expecting: 1)
            XCTAssertTrue(second.errors.contains("another entrannas process (pid \(first.process.processIdentifier)) is running in "
                                                 + output.path), second.errors)
        }
        let train = try EntranNASBinary.run(["train", "--genotype", "DARTS_V2", "--preset", "quick", "--output", output.path],
                                            in: folder, name: "train", seconds: 60, expecting: 1)
        XCTAssertTrue(train.errors.contains("another entrannas process"), train.errors)

        kill(first.process.processIdentifier, SIGKILL)
        XCTAssertNotNil(first.wait(seconds: 30))
        // The kernel dropped the lock with the process: a resume gets in, and SIGTERM stops it
        // like Ctrl-C, with a checkpoint and the way to continue.
        let resumed = try EntranNASBinary.Running(search(output) + ["--resume"], in: folder, name: "after-kill")
        let log = output.appendingPathComponent("log.txt")
        let deadline = Date().addingTimeInterval(120)
        while resumed.process.isRunning && Date() < deadline
            && !((try? String(contentsOf: log, encoding: .utf8))?.contains("resumed at epoch") ?? false) { usleep(20_000) }
        XCTAssertTrue(resumed.process.isRunning, "the resume did not get past the lock: \(resumed.errors)")
        kill(resumed.process.processIdentifier, SIGTERM)
        XCTAssertEqual(resumed.wait(seconds: 120), 130, resumed.errors)
        XCTAssertTrue(resumed.output.contains("--resume"), resumed.output)
    }

    func testSIGTERMStopsATrainingWithACheckpoint() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("train")
        let run = try EntranNASBinary.Running(["train", "--genotype", "DARTS_V2", "--preset", "quick", "--epochs", "30",
                                               "--limit", "2000", "--layers", "2", "--init-channels", "4", "--batch-size", "16",
                                               "--output", output.path], in: folder, name: "train")
        waitFor(output.appendingPathComponent("metrics.jsonl"), run)
        usleep(500_000)
        kill(run.process.processIdentifier, SIGTERM)
        XCTAssertEqual(run.wait(seconds: 120), 130, run.errors)
        XCTAssertTrue(run.output.contains("--resume"), run.output)
        // The checkpoint holds the position the stop reports, not only the last epoch's end: a
        // stop inside an epoch ("in epoch 2 after batch 37 of 125") has a batch past 0.
        let metadata = try Safetensors.load(from: output.appendingPathComponent("checkpoint.safetensors")).metadata
        let (epoch, batch) = (try XCTUnwrap(metadata["epoch"].flatMap(Int.init)), try XCTUnwrap(metadata["batch"].flatMap(Int.init)))
        let reported = batch == 0 ? "stopped after epoch \(epoch);" : "stopped in epoch \(epoch + 1) after batch \(batch) of 125;"
        XCTAssertTrue(run.output.contains(reported), "checkpoint at epoch \(epoch), batch \(batch): \(run.output)")
    }

    func testSIGTERMStopsALaunchedSearch() throws {
        guard EntranNASBinary.hasGloo else { throw XCTSkip("this build's libtorch has no Gloo process group") }
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        let run = try EntranNASBinary.Running(["launch", "--nproc-per-node", "2", "--"] + search(output), in: folder, name: "launch")
        waitFor(output.appendingPathComponent("log.txt"), run)
        sleep(2)
        kill(run.process.processIdentifier, SIGTERM)
        XCTAssertEqual(run.wait(seconds: 120), 130, run.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoint.safetensors").path))
    }
}
