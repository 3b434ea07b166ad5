import Foundation
import XCTest

/// experiments/fashion-mnist-long/run.sh picks its searched cell from experiment v2 (both kept
/// parts merged, through `entrannas report`'s best-genotype.txt) when that training first
/// starts, pins it in a file beside the script, and later runs train the pinned cell whatever
/// v2 says since. Run in a copy of the script with a small kept v2 and a stand-in for `train`.
final class LongTrainingPickTests: XCTestCase {
    private var root: URL!
    private var script: URL { root.appendingPathComponent("experiments/fashion-mnist-long/run.sh") }
    private var pinned: URL { root.appendingPathComponent("experiments/fashion-mnist-long/v2-best-darts-seed2.txt") }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: EntranNASBinary.url.path) else {
            throw XCTSkip("\(EntranNASBinary.url.path) is missing; build it with swift build --build-tests")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            throw XCTSkip("/usr/bin/time is missing (apt-get install time); run.sh needs it")
        }
        root = try temporaryFolder(self)
        try copyFromRepository(["experiments/fashion-mnist-long/run.sh", "experiments/fashion-mnist-long/summarize.sh",
                                "experiments/fashion-mnist-v2/merge.sh",
                                "experiments/train-folder.sh", "experiments/metrics.sh"], to: root)
        // Experiment v2 in miniature. Main part: EnTranNAS seed 1 trained twice (90.5), seed 2
        // once (95: not a candidate yet). Late part: DARTS seed 2 trained twice (91.6), the best.
        let plan = #"{"plan": {"methods": ["entrannas", "darts"], "randomCells": 0, "seeds": [1, 2], "trainSeeds": [1, 2]}, "settings": {}}"#
        try write(plan, "experiments/fashion-mnist-v2/kept/experiment.json")
        try write(plan, "experiments/fashion-mnist-v2/kept-late/experiment.json")
        for (part, method, seed, trainSeed, accuracy) in [("kept", "entrannas", 1, 1, 90.0), ("kept", "entrannas", 1, 2, 91.0),
                                                          ("kept", "entrannas", 2, 1, 95.0), ("kept-late", "darts", 2, 1, 91.5),
                                                          ("kept-late", "darts", 2, 2, 91.7)] {
            let result = """
                {"genotype": "cell of \(method) \(seed)", "seconds": 1, "testAccuracy": \(accuracy),
                 "unit": {"kind": "train", "method": "\(method)", "seed": \(seed), "trainSeed": \(trainSeed)}}
                """
            try write(result, "experiments/fashion-mnist-v2/\(part)/units/train-\(method)-seed\(seed)-t\(trainSeed)/result.json")
        }
        // `report` is the real binary; `train` logs its arguments and leaves a finished folder.
        let bin = """
            #!/usr/bin/env bash
            [ "$1" = report ] && exec "\(EntranNASBinary.url.path)" "$@"
            echo "$*" >> "\(root.path)/trained.txt"
            while [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done
            mkdir -p "$out" && touch "$out/model.safetensors"
            echo '{"epoch": 1, "seconds": 7200, "test_top1": 93.25, "test_images": 10000, "cpu_seconds": 5400}' > "$out/metrics.jsonl"
            printf '%s\n' "2026-12-05 07:00:00  epoch  1/40 (a binary that did not name its machine)" \
              "2026-12-06 07:00:00  machine: CPU A, 2 cores" "2026-12-06 07:00:01  training" "junk  machine: CPU C" \
              "2026-12-07 07:00:00  machine: CPU B, 2 cores" "2026-12-08 07:00:00  machine: CPU A, 2 cores" > "$out/log.txt"
            """
        try writeExecutable(bin, to: root.appendingPathComponent("bin"))
    }

    private func write(_ text: String, _ path: String) throws { try writeFile(text, path, under: root) }

    /// Runs run.sh for the searched cell; returns its exit status and standard error.
    private func runScript() throws -> (status: Int32, errors: String) {
        let run = try runBash(script, environment: ["BIN": root.appendingPathComponent("bin").path,
                                                    "RUNS": root.appendingPathComponent("runs").path, "CELLS": "searched"])
        return (run.status, run.errors)
    }

    /// summarize.sh's table for the copy's runs and kept records.
    private func summarize() throws -> String {
        let run = try runBash(root.appendingPathComponent("experiments/fashion-mnist-long/summarize.sh"),
                              environment: ["RUNS": root.appendingPathComponent("runs").path])
        XCTAssertEqual(run.status, 0, run.errors)
        return run.output
    }

    private var trained: [String] {
        ((try? String(contentsOf: root.appendingPathComponent("trained.txt"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    func testThePickIsV2sBestCellAndStaysPinned() throws {
        let first = try runScript()
        XCTAssertEqual(first.status, 0, first.errors)
        XCTAssertTrue(first.errors.contains("picked: darts seed 2 (`units/search-darts-seed2/`): 91.60% test accuracy"), first.errors)
        XCTAssertEqual(try String(contentsOf: pinned, encoding: .utf8), "cell of darts 2\n")
        XCTAssertEqual(trained.count, 1)
        XCTAssertTrue(trained[0].contains("--output \(root.path)/runs/v2-best-darts-seed2 --genotype \(pinned.path)"), trained[0])

        // The finished training is kept for the repository; on a machine without its run folder
        // it is finished all the same, and summarize.sh reads its row from the kept record.
        let kept = root.appendingPathComponent("experiments/fashion-mnist-long/kept/v2-best-darts-seed2")
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept.appendingPathComponent("finished").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept.appendingPathComponent("cost").path))
        // With the machines its log names, each once, after "not recorded" for the epoch an
        // earlier binary logged without one: CPU hours compare only within one machine.
        let machines = "not recorded; CPU A, 2 cores; CPU B, 2 cores"
        XCTAssertEqual(try String(contentsOf: kept.appendingPathComponent("machines"), encoding: .utf8),
                       machines.replacingOccurrences(of: "; ", with: "\n") + "\n")
        XCTAssertTrue(try summarize().contains("| v2-best-darts-seed2 | 1 | 93.25 | 10000 | yes | 2.0 | 1.5 | \(machines) |"),
                      "read from the run folder's log")
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs/v2-best-darts-seed2"))
        XCTAssertEqual(try runScript().status, 0)
        XCTAssertEqual(trained.count, 1)
        // A record that kept only its row (DARTS_V2's: its metrics died with their machine).
        try write("| DARTS_V2 | 40 | 94.44 | 10000 | yes | 7.8 | 6.3 |\n", "experiments/fashion-mnist-long/kept/DARTS_V2/row.md")
        try write("before 34056d0\n", "experiments/fashion-mnist-long/kept/DARTS_V2/finished")
        let table = try summarize()
        XCTAssertTrue(table.contains("| v2-best-darts-seed2 | 1 | 93.25 | 10000 | yes | 2.0 | 1.5 | \(machines) |"), table)
        XCTAssertTrue(table.contains("| DARTS_V2 | 40 | 94.44 | 10000 | yes | 7.8 | 6.3 | - |"), table)

        // v2 moves on (EnTranNAS seed 2 gets its second training and becomes the best), and the
        // finished training is gone, kept record too: the pinned cell is trained again, nothing
        // is picked.
        try write(#"{"genotype": "cell of entrannas 2", "seconds": 1, "testAccuracy": 95, "unit": {"kind": "train", "method": "entrannas", "seed": 2, "trainSeed": 2}}"#,
                  "experiments/fashion-mnist-v2/kept/units/train-entrannas-seed2-t2/result.json")
        try FileManager.default.removeItem(at: kept)
        let second = try runScript()
        XCTAssertEqual(second.status, 0, second.errors)
        XCTAssertFalse(second.errors.contains("picked"), second.errors)
        XCTAssertEqual(trained.count, 2)
        XCTAssertTrue(trained[1].contains("--genotype \(pinned.path)"), trained[1])

        // Two pinned cells: which one is meant? A one-line error, nothing trained.
        try write("cell\n", "experiments/fashion-mnist-long/v2-best-entrannas-seed2.txt")
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs/v2-best-darts-seed2"))
        try FileManager.default.removeItem(at: kept)
        let third = try runScript()
        XCTAssertNotEqual(third.status, 0)
        XCTAssertTrue(third.errors.contains("error: several pinned cells"), third.errors)
        XCTAssertEqual(trained.count, 2)
    }

    func testNoTrainedSearchedCellIsAnErrorThatNamesV2() throws {
        // Nothing trained or kept yet: the table's header and no row (summarize() checks the status).
        XCTAssertFalse(try summarize().contains("| v2-best"))
        for part in ["kept", "kept-late"] {
            try FileManager.default.removeItem(at: root.appendingPathComponent("experiments/fashion-mnist-v2/\(part)/units"))
        }
        let result = try runScript()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("error: experiment v2 has no searched cell with all its trainings yet"), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pinned.path))
        XCTAssertTrue(trained.isEmpty)
    }
}
