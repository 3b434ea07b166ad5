import Foundation
import XCTest

/// `entrannas search` settings a user does not give but gets.
final class SearchCommandTests: XCTestCase {
    /// `--epochs` below the preset's warm-up lowers the warm-up, and the schedule line (on the
    /// terminal and in log.txt) says so and names the flag that sets it.
    func testEpochsAloneLowerTheWarmUpAndSaySo() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        let run = try EntranNASBinary.run(["search", "--preset", "quick", "--epochs", "2", "--limit", "64", "--batch-size", "16",
                                           "--layers", "2", "--steps", "2", "--init-channels", "4", "--output", output.path],
                                          in: folder, name: "search")
        let line = "schedule: 2 epochs (0 warm-up, lowered from the preset's 2: --epochs 2 leaves no room; --warmup-epochs sets it)"
        XCTAssertTrue(run.output.contains(line), run.output)
        XCTAssertTrue(try String(contentsOf: output.appendingPathComponent("log.txt"), encoding: .utf8).contains(line))
        let given = try EntranNASBinary.run(["search", "--preset", "quick", "--epochs", "2", "--warmup-epochs", "1", "--limit", "64",
                                             "--batch-size", "16", "--layers", "2", "--steps", "2", "--init-channels", "4",
                                             "--output", folder.appendingPathComponent("given").path], in: folder, name: "given")
        XCTAssertTrue(given.output.contains("schedule: 2 epochs (1 warm-up), batch"), given.output)
    }

    /// `search --output DIR --resume` alone continues a search started with other flags than
    /// the defaults (method, seed, schedule, space, data folder), as `train --resume` does; a flag given on
    /// resume that disagrees with the stored search is named, not taken.
    func testResumeWithoutFlagsTakesTheStoredSettings() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        // 96 images, below the quick preset's cap: the split is 48+48 here, 30000+30000 on
        // Debian's Fashion-MNIST, which a resume that lost the folder would read.
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 96, test: 16)
        let start = try EntranNASBinary.run(["search", "--method", "darts", "--preset", "quick", "--seed", "5", "--epochs", "2",
                                     "--warmup-epochs", "0", "--data", data.path, "--batch-size", "16", "--layers", "2", "--steps", "2",
                                     "--init-channels", "4", "--arch-learning-rate", "0.01", "--profile", "1", "--output", output.path],
                                    in: folder, name: "start")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("genotype.txt").path))
        XCTAssertTrue(start.output.contains("checkpoint saved (`entrannas search --output \(output.path) --resume` continues it)"), start.output)

        let other = try EntranNASBinary.run(["search", "--output", output.path, "--resume", "--method", "pc-darts"],
                                            in: folder, name: "other", expecting: 1)
        XCTAssertTrue(other.errors.contains("setting 'method' is pc-darts here but darts in the checkpoint"), other.errors)
        let preset = try EntranNASBinary.run(["search", "--output", output.path, "--resume", "--preset", "cpu", "--batch-size", "16"],
                                             in: folder, name: "preset", expecting: 1)
        XCTAssertTrue(preset.errors.contains("cannot resume: setting '"), preset.errors)
        // Named as differing, not as a layout the stored network cannot have.
        let layers = try EntranNASBinary.run(["search", "--output", output.path, "--resume", "--layers", "3"],
                                             in: folder, name: "layers", expecting: 1)
        XCTAssertTrue(layers.errors.contains("cannot resume: setting 'layers' is 3 here but 2 in the checkpoint"), layers.errors)
        let seed = try EntranNASBinary.run(["search", "--output", output.path, "--resume", "--seed", "4"],
                                           in: folder, name: "seed", expecting: 1)
        XCTAssertTrue(seed.errors.contains("cannot resume: setting 'seed' is 4 here but 5 in the checkpoint"), seed.errors)

        let resumed = try EntranNASBinary.run(["search", "--output", output.path, "--resume"], in: folder, name: "resume")
        XCTAssertTrue(resumed.output.contains("search: darts on fashion-mnist (1x28x28, 10 classes), 48+48 images"), resumed.output)
        XCTAssertTrue(resumed.output.contains("network: 2 cells, 4 channels, 2 steps"), resumed.output)
        XCTAssertTrue(resumed.output.contains("arch lr 0.01, threads"), resumed.output)
        XCTAssertTrue(resumed.output.contains("seed 5"), resumed.output)
        XCTAssertTrue(resumed.output.contains("(resumed at epoch 1, step 2)"), resumed.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("genotype.txt").path))
        XCTAssertEqual(try metricsRecords(output.appendingPathComponent("metrics.jsonl")).count, 2)
    }

    /// The command that started a DST search, plus --resume, continues it: its --primitives list
    /// (whose 'none' DST drops) agrees with the stored one, and naming a setting's default
    /// (`--dst-threshold-pull sum`) is no change.
    func testTheStartingCommandPlusResumeContinuesADSTSearch() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("dst")
        let flags = ["search", "--method", "entrannas-dst", "--primitives", "darts", "--preset", "quick", "--epochs", "1",
                     "--limit", "64", "--batch-size", "16", "--layers", "3", "--steps", "2", "--init-channels", "4", "--output", output.path]
        _ = try EntranNASBinary.run(flags + ["--profile", "1"], in: folder, name: "start")
        let resumed = try EntranNASBinary.run(flags + ["--resume", "--dst-threshold-pull", "sum"], in: folder, name: "resume")
        XCTAssertTrue(resumed.output.contains("(resumed at epoch 1, step 2)"), resumed.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("genotype.txt").path))
    }
}
