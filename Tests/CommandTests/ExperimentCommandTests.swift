import Foundation
import XCTest

/// `entrannas experiment` as a user runs it: its units are child processes in process groups of
/// their own, so a signal to the experiment has to be passed on to them.
final class ExperimentCommandTests: XCTestCase {
    /// An experiment of two EnTranNAS searches side by side (`--jobs 2`), returned once both
    /// are inside their search loops, with the two unit folders.
    private func startTwoSearches() throws -> (EntranNASBinary.Running, [URL]) {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("experiment")
        let run = try EntranNASBinary.Running(
            ["experiment", "--methods", "entrannas", "--seeds", "1,2", "--random-cells", "0", "--preset", "quick",
             "--epochs", "4", "--jobs", "2", "--output", output.path], in: folder, name: "experiment")
        let units = ["search-entrannas-seed1", "search-entrannas-seed2"].map { output.appendingPathComponent("units").appendingPathComponent($0) }
        let deadline = Date().addingTimeInterval(120)
        while run.process.isRunning && Date() < deadline
            && !units.allSatisfy({ FileManager.default.fileExists(atPath: $0.appendingPathComponent("log.txt").path) }) {
            usleep(50_000)
        }
        sleep(2)  // inside the search loops
        return (run, units)
    }

    /// SIGTERM to the experiment (no terminal involved) stops both units running side by side,
    /// each with a checkpoint, and the experiment exits 130 with how to resume.
    func testSIGTERMStopsTheUnitsRunningSideBySide() throws {
        let (run, units) = try startTwoSearches()
        kill(run.process.processIdentifier, SIGTERM)
        XCTAssertEqual(run.wait(seconds: 90), 130, "the units kept running after the experiment was told to stop: \(run.output) \(run.errors)")
        let output = units[0].deletingLastPathComponent().deletingLastPathComponent().path
        XCTAssertTrue(run.output.contains("stopped; continue with: entrannas experiment --output \(output) --resume --jobs 2\n"), run.output)
        for unit in units {
            XCTAssertTrue(FileManager.default.fileExists(atPath: unit.appendingPathComponent("checkpoint.safetensors").path), unit.path)
            let console = (try? String(contentsOf: unit.appendingPathComponent("console.txt"), encoding: .utf8)) ?? ""
            XCTAssertTrue(console.contains("checkpoint saved"), console)
        }
    }

    /// The experiment killed with SIGKILL (nothing can be passed on): its units notice that their
    /// parent is gone and stop by themselves with a checkpoint instead of running on as orphans.
    func testUnitsStopThemselvesWhenTheExperimentIsKilled() throws {
        let (run, units) = try startTwoSearches()
        kill(run.process.processIdentifier, SIGKILL)
        XCTAssertNotNil(run.wait(seconds: 10), "the experiment outlived SIGKILL")
        func console(_ unit: URL) -> String { (try? String(contentsOf: unit.appendingPathComponent("console.txt"), encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline && !units.allSatisfy({ console($0).contains("checkpoint saved") }) { usleep(100_000) }
        for unit in units {
            XCTAssertTrue(console(unit).contains("ended; stopping after this step"), console(unit))
            XCTAssertTrue(console(unit).contains("checkpoint saved"), console(unit))
            XCTAssertTrue(FileManager.default.fileExists(atPath: unit.appendingPathComponent("checkpoint.safetensors").path), unit.path)
        }
    }

    /// `--search-options` reaches the searches and is part of the stored settings (a resume takes
    /// them, and one given on resume must match);
    /// a flag the experiment sets itself, one its baselines would not follow, a misspelt one or a
    /// value out of range fails before the experiment's folder exists.
    func testSearchOptionsReachTheSearchesAndAreCheckedFirst() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("experiment")
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 1000, test: 200)
        let common = ["experiment", "--methods", "entrannas-dst", "--seeds", "1", "--random-cells", "0", "--preset", "quick",
                      "--epochs", "1", "--train-epochs", "1", "--train-limit", "100", "--train-layers", "2", "--train-channels", "4",
                      "--data", data.path, "--output", output.path]
        for (options, complaint) in [("--seed 3", "--seed is set by the experiment"), ("--output=elsewhere", "--output is set by the experiment"),
                                     ("--primitives sep_conv_3x3", "--primitives would change the searches but not the random cells"),
                                     ("--dst-renormalisation hard", "Unknown option '--dst-renormalisation'"),
                                     ("--warmup-epochs 3", "--warmup-epochs 3 covers all 1 epochs")] {
            let refused = try EntranNASBinary.run(common + ["--search-options", options], in: folder, name: "refused", expecting: 64)
            XCTAssertTrue(refused.errors.contains(complaint), refused.errors)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "a refused experiment left a folder")
        }
        try EntranNASBinary.run(common + ["--search-options", "--dst-renormalization hard --limit 256"], in: folder, name: "experiment")
        let config = try String(contentsOf: output.appendingPathComponent("units/search-entrannas-dst-seed1/config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"dst_renormalization\":\"hard\"") && config.contains("\"limit\":256"), config)
        let results = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(results.contains("search_options `--dst-renormalization hard --limit 256`"), results)
        // On resume, other search options are named; none given means the stored ones; another
        // spelling of the dataset is the same dataset.
        let other = try EntranNASBinary.run(common + ["--resume", "--search-options", "--limit 128"], in: folder, name: "other", expecting: 1)
        XCTAssertTrue(other.errors.contains("setting 'search_options' is --limit 128 here but --dst-renormalization hard --limit 256"),
                      other.errors)
        let resumed = try EntranNASBinary.run(common + ["--resume", "--dataset", "Fashion_MNIST"], in: folder, name: "resumed")
        XCTAssertTrue(resumed.output.contains("experiment: 2 of 2 units finished"), resumed.output)
    }

    /// `--train-seeds`: every cell is trained once per seed, the searched and the random cells
    /// with the same seeds; the random DST cell copies the searched cell's in-degree node by
    /// node; a resume redoes only the unit that is missing, with the same result.
    func testTrainingSeedsResumeUnitByUnit() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("experiment")
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 1000, test: 200)
        let command = ["experiment", "--methods", "entrannas-dst", "--seeds", "1", "--random-cells", "1", "--train-seeds", "1,2",
                       "--preset", "quick", "--epochs", "1", "--train-epochs", "1", "--train-limit", "100",
                       "--train-layers", "2", "--train-channels", "4", "--data", data.path, "--output", output.path,
                       "--search-options", "--warmup-epochs 0 --limit 64 --batch-size 16 --layers 2 --init-channels 4"]
        let first = try EntranNASBinary.run(command, in: folder, name: "first", seconds: 600)
        let units = output.appendingPathComponent("units")
        func unit(_ name: String, _ file: String) -> URL { units.appendingPathComponent(name).appendingPathComponent(file) }
        func json(_ url: URL) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        }
        let names = ["search-entrannas-dst-seed1", "train-entrannas-dst-seed1-t1", "train-entrannas-dst-seed1-t2",
                     "random-dst-1-t1", "random-dst-1-t2"]
        for name in names { XCTAssertTrue(FileManager.default.fileExists(atPath: unit(name, "result.json").path), name) }
        XCTAssertEqual(try json(unit("train-entrannas-dst-seed1-t2", "train/config.json"))["seed"] as? Int, 2)
        XCTAssertEqual(try json(unit("random-dst-1-t2", "train/config.json"))["seed"] as? Int, 2, "the same seeds for every cell")
        XCTAssertEqual(try json(unit("random-dst-1-t1", "train/config.json"))["seed"] as? Int, 1)
        let searched = try String(contentsOf: unit("search-entrannas-dst-seed1", "genotype.json"), encoding: .utf8)
        let random = try String(contentsOf: unit("random-dst-1-t1", "random-genotype.json"), encoding: .utf8)
        func inDegrees(_ genotype: String) throws -> [Int] {
            let object = try JSONSerialization.jsonObject(with: Data(genotype.utf8)) as! [String: Any]
            return ((object["normal"] as! [[Any]]) + (object["reduce"] as! [[Any]])).map(\.count)
        }
        XCTAssertEqual(try inDegrees(random), try inDegrees(searched), "matched node by node")
        let results = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(results.contains("## Searched against random cells"), results)
        XCTAssertTrue(results.contains("trained with seeds 1, 2"), results)
        // The only searched cell, trained with both seeds: the one to train in full.
        let best = output.appendingPathComponent("best-genotype.txt")
        XCTAssertEqual(try String(contentsOf: best, encoding: .utf8),
                       try String(contentsOf: unit("search-entrannas-dst-seed1", "genotype.txt"), encoding: .utf8).trimmingCharacters(in: .newlines) + "\n")
        XCTAssertTrue(results.contains("## Best searched cell"), results)
        XCTAssertTrue(first.output.contains("experiment: best searched cell so far: entrannas-dst seed 1, "), first.output)
        XCTAssertTrue(first.output.contains("over 2 trainings; its genotype: \(best.path)"), first.output)
        // One search against one random cell: told at the start that no test can say "met".
        let note = try XCTUnwrap(first.output.range(of: "experiment: note: no method can be shown to beat the random cells with this plan: 1 searched against 1 random cell "),
                                 first.output)
        let firstUnit = try XCTUnwrap(first.output.range(of: "search-entrannas-dst-seed1"), first.output)
        XCTAssertTrue(note.lowerBound < firstUnit.lowerBound, "told before the first unit runs")

        let before = try json(unit("train-entrannas-dst-seed1-t2", "result.json"))
        let kept = try FileManager.default.attributesOfItem(atPath: unit("random-dst-1-t1", "result.json").path)[.modificationDate] as? Date
        try FileManager.default.removeItem(at: units.appendingPathComponent("train-entrannas-dst-seed1-t2"))
        // The plan, the settings and the data folder come from experiment.json.
        let other = try EntranNASBinary.run(["experiment", "--output", output.path, "--resume", "--train-epochs", "2"],
                                            in: folder, name: "other", expecting: 1)
        XCTAssertTrue(other.errors.contains("setting 'train_epochs' is 2 here but 1 in"), other.errors)
        try EntranNASBinary.run(["experiment", "--output", output.path, "--resume"], in: folder, name: "resumed", seconds: 600)
        let after = try json(unit("train-entrannas-dst-seed1-t2", "result.json"))
        XCTAssertNotNil(before["testAccuracy"], "\(before)")
        XCTAssertEqual(after["testAccuracy"] as? Double, before["testAccuracy"] as? Double, "redone with the same result")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: unit("random-dst-1-t1", "result.json").path)[.modificationDate] as? Date,
                       kept, "a finished unit is not redone")

        // Across machines (run folders do not outlive a session): experiments/kept.sh keeps the
        // small files of the finished units, and restored into a fresh folder they let --resume
        // run only the unit whose result was not kept.
        let keptFolder = folder.appendingPathComponent("kept"), restored = folder.appendingPathComponent("restored")
        try runScript(["save", output.path, keptFolder.path])
        XCTAssertTrue(FileManager.default.fileExists(atPath: keptFolder.appendingPathComponent("best-genotype.txt").path))
        XCTAssertFalse(try FileManager.default.subpathsOfDirectory(atPath: keptFolder.path).contains { $0.hasSuffix(".safetensors") },
                       "no checkpoint or weights are kept")
        try FileManager.default.removeItem(at: keptFolder.appendingPathComponent("units/train-entrannas-dst-seed1-t2"))
        try runScript(["restore", keptFolder.path, restored.path])
        var again = command
        again[again.firstIndex(of: output.path)!] = restored.path
        try EntranNASBinary.run(again + ["--resume"], in: folder, name: "restored", seconds: 600)
        let restoredUnits = restored.appendingPathComponent("units")
        let redone = try json(restoredUnits.appendingPathComponent("train-entrannas-dst-seed1-t2/result.json"))
        XCTAssertEqual(redone["testAccuracy"] as? Double, before["testAccuracy"] as? Double, "the missing unit, redone alike")
        for name in names where name != "train-entrannas-dst-seed1-t2" {
            XCTAssertFalse(FileManager.default.fileExists(atPath: restoredUnits.appendingPathComponent(name).appendingPathComponent("train").path),
                           "\(name) was finished and is not trained again")
        }
        let summary = try String(contentsOf: restored.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("All 7 units finished"), summary)  // with the two random-darts units

        // `entrannas report` on a kept folder (no run files, one unit missing) rewrites its
        // summary from experiment.json and the units' result.json with this binary's statistics.
        // A damaged result.json counts as unfinished, with a warning naming it.
        try FileManager.default.removeItem(at: keptFolder.appendingPathComponent("results.md"))
        try Data("{\"unit\":".utf8).write(to: keptFolder.appendingPathComponent("units/random-dst-1-t2/result.json"))
        let report = try EntranNASBinary.run(["report", keptFolder.path], in: folder, name: "report", seconds: 60)
        XCTAssertTrue(report.errors.contains("random-dst-1-t2/result.json cannot be read"), report.errors)
        let rebuilt = try String(contentsOf: keptFolder.appendingPathComponent("results.md"), encoding: .utf8)
        XCTAssertTrue(rebuilt.contains("**Partial**: 5 of 7 units finished"), rebuilt)
        // The half-trained random DST cell (its t2 unreadable) is in no number: its comparison waits.
        XCTAssertTrue(rebuilt.contains("| entrannas-dst cells beat the random cells of the same rule (permutation test, Holm p < 0.05) | pending |"),
                      rebuilt)
        XCTAssertTrue(FileManager.default.fileExists(atPath: keptFolder.appendingPathComponent("report.html").path))
    }

    /// Runs experiments/kept.sh of this repository.
    private func runScript(_ arguments: [String]) throws {
        let run = try runBash(repositoryRoot.appendingPathComponent("experiments/kept.sh"), arguments)
        XCTAssertEqual(run.status, 0, "kept.sh \(arguments.joined(separator: " ")): \(run.errors)")
    }
}
