import Foundation
import XCTest

/// experiments/consistency-gap/retrain.sh on machines that do not keep run folders: every
/// finished training is kept (train-folder.sh's `--keep`) and counts as finished anywhere,
/// retrained.md is rewritten from the kept records after each training, and two instances
/// share the work. Run in a copy with the experiment's real kept cells and a stand-in `train`.
final class RetrainScriptTests: XCTestCase {
    private var root: URL!
    private var here: URL { root.appendingPathComponent("experiments/consistency-gap") }
    /// The eight trainings: four kept cells, training seeds 1 and 2.
    private let trainings = ["entrannas-anneal0.03-seed1", "entrannas-anneal0.03-seed2",
                             "entrannas-edges-anneal0.03-seed1", "entrannas-edges-anneal0.03-seed2"]
        .flatMap { ["\($0)-t1", "\($0)-t2"] }

    override func setUpWithError() throws {
        root = try temporaryFolder(self)
        try copyFromRepository(["experiments/consistency-gap/retrain.sh", "experiments/train-folder.sh", "experiments/metrics.sh"], to: root)
        for cell in ["entrannas-anneal0.03-seed1", "entrannas-anneal0.03-seed2",
                     "entrannas-edges-anneal0.03-seed1", "entrannas-edges-anneal0.03-seed2"] {
            try copyFromRepository(["experiments/consistency-gap/kept/\(cell)/report.json"], to: root)
        }
        // Logs "OUTPUT SEED" and leaves a finished folder whose accuracy encodes the seed.
        let bin = """
            #!/usr/bin/env bash
            while [ $# -gt 0 ]; do case "$1" in --output) out=$2 ;; --seed) seed=$2 ;; esac; shift; done
            echo "$(basename "$out") $seed" >> "\(root.path)/trained.txt"
            sleep 0.2
            mkdir -p "$out" && touch "$out/model.safetensors"
            echo "{\\"epoch\\": 10, \\"test_top1\\": 90.$seed}" > "$out/metrics.jsonl"
            """
        try writeExecutable(bin, to: root.appendingPathComponent("bin"))
    }

    /// Starts retrain.sh (not waiting); KEEP only when given.
    private func start(keep: String? = nil) throws -> Process {
        var environment = ["BIN": root.appendingPathComponent("bin").path, "RUNS": root.appendingPathComponent("runs").path]
        if let keep { environment["KEEP"] = keep }
        return try startBash(here.appendingPathComponent("retrain.sh"), environment: environment)
    }

    private var trained: [String] {
        ((try? String(contentsOf: root.appendingPathComponent("trained.txt"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    func testTwoInstancesKeepEveryTrainingOnceAndAFreshMachineTrainsNothing() throws {
        let first = try start(), second = try start()
        first.waitUntilExit(); second.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(second.terminationStatus, 0)
        // Each training once, under its own folder, with its own seed.
        XCTAssertEqual(trained.sorted(), trainings.map { "\($0) \($0.hasSuffix("t1") ? 1 : 2)" }.sorted())
        for name in trainings {
            let record = here.appendingPathComponent("retrained/\(name)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: record.appendingPathComponent("finished").path), name)
            XCTAssertTrue(FileManager.default.fileExists(atPath: record.appendingPathComponent("metrics.jsonl").path), name)
        }
        let table = try String(contentsOf: here.appendingPathComponent("retrained.md"), encoding: .utf8)
        XCTAssertEqual(table.split(separator: "\n").filter { $0.hasPrefix("| entrannas") }.count, 8, table)
        XCTAssertTrue(table.contains("| entrannas-edges-anneal0.03-seed2 | 2 | 90.2 |"), table)
        XCTAssertTrue(table.contains("| entrannas-anneal0.03-seed1 | 1 | 90.1 |"), table)

        // A fresh machine: the run folders are gone, the kept records are not.
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs"))
        let again = try start()
        again.waitUntilExit()
        XCTAssertEqual(again.terminationStatus, 0)
        XCTAssertEqual(trained.count, 8)

        // A trial protocol in a folder of its own trains again and leaves the results alone.
        let trial = root.appendingPathComponent("trial").path
        let other = try start(keep: trial)
        other.waitUntilExit()
        XCTAssertEqual(other.terminationStatus, 0)
        XCTAssertEqual(trained.count, 16)
        XCTAssertTrue(FileManager.default.fileExists(atPath: trial + ".md"))
        XCTAssertEqual(try String(contentsOf: here.appendingPathComponent("retrained.md"), encoding: .utf8), table)
    }

    /// A finished folder without metrics.jsonl is no record: the script fails, nothing is kept.
    func testAFinishedTrainingWithoutMetricsIsNotKept() throws {
        let broken = root.appendingPathComponent("runs/\(trainings[0])")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: broken.appendingPathComponent("model.safetensors").path, contents: Data()))
        let run = try start()
        run.waitUntilExit()
        XCTAssertNotEqual(run.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: here.appendingPathComponent("retrained/\(trainings[0])/finished").path))
        XCTAssertTrue(trained.isEmpty)
    }
}
