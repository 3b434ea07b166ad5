import Foundation
import XCTest

/// experiments/fashion-mnist-v2/run.sh, in a copy of the tree, with a stand-in `entrannas
/// experiment` (BIN): the late part then the main part run one after the other (the keeper's
/// sleep must not hold the part lock), a stop keeps the unit that finishes during it, and a
/// finished experiment (the mean pull's too) returns before its pinned build.
final class ExperimentV2ScriptTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try temporaryFolder(self)
        try copyFromRepository(["experiments/kept.sh", "experiments/pinned-binary.sh", "experiments/fashion-mnist-v2/run.sh",
                                "experiments/fashion-mnist-cpu-dst-pull-mean/run.sh"], to: root)
        // The stand-in writes the experiment and one finished unit; on SIGTERM it takes a second
        // (a checkpoint), then finishes the unit, as a unit in its last epoch does.
        let stand = """
            #!/usr/bin/env bash
            out=""; prev=""
            for a in "$@"; do [ "$prev" = --output ] && out=$a; prev=$a; done
            mkdir -p "$out/units/unit-a"
            echo '{}' > "$out/experiment.json"
            trap 'sleep 1; echo "{}" > "$out/units/unit-a/result.json"; exit 130' TERM
            ps -o pgid= $$ | tr -d ' ' >> "\(root.path)/pgids"  # once the trap is set
            sleep "${UNIT_SECONDS:-0}" & wait $!
            echo '{}' > "$out/units/unit-a/result.json"
            """
        try writeExecutable(stand, to: root.appendingPathComponent("entrannas"))
    }

    /// Runs run.sh in a process group of its own; returns the process.
    private func start(part: String, unitSeconds: Int) throws -> Process {
        try startInSession(["bash", root.appendingPathComponent("experiments/fashion-mnist-v2/run.sh").path],
                           environment: ["PART": part, "BIN": root.appendingPathComponent("entrannas").path, "KEEP_SECONDS": "30",
                                         "UNIT_SECONDS": "\(unitSeconds)"])
    }

    /// The process groups the stand-in ran in (run.sh's, under setsid), last one last.
    private var groups: [Int32] {
        ((try? String(contentsOf: root.appendingPathComponent("pgids"), encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { Int32($0) }
    }

    override func tearDown() {
        for group in groups { kill(-group, SIGKILL) }  // the keepers' last sleeps
        super.tearDown()
    }

    private func kept(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("experiments/fashion-mnist-v2/\(folder)/units/unit-a/result.json").path)
    }

    /// A finished experiment returns at once, before the pinned build (no binary-commit here, so
    /// reaching it would fail) and without running anything; one unit short, or with fewer random
    /// cells than the script plans (a plan to grow), or grown in experiment.json but not yet run,
    /// it runs.
    func testAnExperimentWhoseKeptUnitsAreAllFinishedReturnsBeforeThePinnedBuild() throws {
        /// The kept files as entrannas writes them: the counts at the top level, the random cells
        /// inside "plan" (a nested count of the same name must not count).
        func kept(_ finished: Int, of total: Int, random: Int, stored: Int? = nil, in folder: String) throws {
            try writeFile("""
                {
                  "comparisons" : [
                    {
                      "total_units" : \(total + 1)
                    }
                  ],
                  "finished_units" : \(finished),
                  "plan" : {
                    "random_cells" : \(random)
                  },
                  "total_units" : \(total)
                }

                """, "\(folder)/results.json", under: root)
            try writeFile("{\n  \"plan\" : {\n    \"randomCells\" : \(stored ?? random)\n  }\n}\n", "\(folder)/experiment.json", under: root)
        }
        let late = "experiments/fashion-mnist-v2/kept-late", mean = "experiments/fashion-mnist-cpu-dst-pull-mean"
        try kept(24, of: 24, random: 0, in: late)
        try kept(20, of: 20, random: 6, in: mean)
        for (script, part) in [("experiments/fashion-mnist-v2/run.sh", "late"), ("\(mean)/run.sh", "")] {
            let run = try runBash(root.appendingPathComponent(script), environment: ["PART": part])
            XCTAssertEqual(run.status, 0, "\(script): \(run.errors)")
            XCTAssertTrue(run.errors.hasPrefix("complete: all "), "\(script): \(run.errors)")
        }
        XCTAssertTrue(groups.isEmpty, "the stand-in ran")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("runs/experiment-v2-late").path))

        // Not complete: each of these reaches the run (the stand-in, through BIN) or, for the mean
        // pull without BIN, the pinned build, which fails here.
        try kept(8, of: 8, random: 0, in: mean)                 // the kept plan had no random cells yet
        XCTAssertNotEqual(try runBash(root.appendingPathComponent("\(mean)/run.sh")).status, 0)
        try kept(8, of: 8, random: 0, stored: 6, in: mean)      // grown in experiment.json, not yet run
        XCTAssertNotEqual(try runBash(root.appendingPathComponent("\(mean)/run.sh")).status, 0)
        try kept(23, of: 24, random: 0, in: late)
        let short = try start(part: "late", unitSeconds: 0)
        short.waitUntilExit()
        XCTAssertEqual(short.terminationStatus, 0)
        XCTAssertEqual(groups.count, 1, "one unit short, the part runs")
    }

    func testTheMainPartFollowsTheLatePartAndAStopKeepsTheLastUnit() throws {
        let late = try start(part: "late", unitSeconds: 0)
        late.waitUntilExit()
        XCTAssertEqual(late.terminationStatus, 0)
        XCTAssertTrue(kept("kept-late"))
        // At once, while the late part's keeper still sleeps: the part lock is free.
        let main = try start(part: "main", unitSeconds: 0)
        main.waitUntilExit()
        XCTAssertEqual(main.terminationStatus, 0, "the main part was refused: the late part's keeper held the lock")
        XCTAssertTrue(kept("kept"))

        // A stop: the unit finishes a second after SIGTERM, and is kept all the same.
        try FileManager.default.removeItem(at: root.appendingPathComponent("experiments/fashion-mnist-v2/kept"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs/experiment-v2"))
        let stopped = try start(part: "main", unitSeconds: 60)
        let deadline = Date().addingTimeInterval(20)
        while groups.count < 3, Date() < deadline { usleep(100_000) }
        XCTAssertEqual(groups.count, 3, "the stopped run's stand-in did not start")
        let group = try XCTUnwrap(groups.last)
        kill(-group, SIGTERM)  // as background.sh stops a lane: the whole group
        let stop = Date()
        stopped.waitUntilExit()
        // The stand-in's unit takes 60 s: a stop that missed would only end with it.
        XCTAssertLessThan(Date().timeIntervalSince(stop), 30, "the stop did not reach the run")
        XCTAssertTrue(kept("kept"), "the unit that finished during the stop was not kept")
    }
}
