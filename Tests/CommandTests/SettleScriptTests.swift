import Foundation
import XCTest

/// experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20.sh, in a copy of the tree, with a
/// stand-in `entrannas` (BIN): a stop lets both lanes' searches save and starts nothing after
/// them, the next run resumes them and finishes the rest, and a failed search fails the script
/// without stopping the other seeds.
final class SettleScriptTests: XCTestCase {
    private var root: URL!
    private let script = "experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20.sh"

    override func setUpWithError() throws {
        root = try temporaryFolder(self)
        try copyFromRepository([script, "experiments/train-folder.sh", "experiments/metrics.sh"], to: root)
        // Logs "COMMAND FOLDER resume=0|1" and its process group. A search sleeps SEARCH_SECONDS,
        // saves a checkpoint on SIGTERM (exit 130), and fails for a seed with a file fail-seedN.
        let stand = """
            #!/usr/bin/env bash
            command=$1; shift; out=""; resume=0
            while [ $# -gt 0 ]; do case "$1" in --output) out=$2 ;; --resume) resume=1 ;; esac; shift; done
            name=$(basename "$out")
            mkdir -p "$out"
            # Logged once the trap is set, so that a stop the test sends after the log is caught.
            # Seed 1 takes two seconds to save: the script must wait for that lane too.
            [ "$command" != search ] || trap '[ "$name" != seed1 ] || sleep 2; touch "$out/checkpoint.safetensors"; exit 130' TERM
            ps -o pgid= $$ | tr -d ' ' >> "\(root.path)/pgids"
            echo "$command $name resume=$resume" >> "\(root.path)/calls.txt"
            if [ "$command" = search ]; then
              [ ! -f "\(root.path)/fail-$name" ] || exit 3
              sleep "${SEARCH_SECONDS:-0}" & wait $!
              for file in genotype.txt genotype.json report.json metrics.jsonl; do echo "$name" > "$out/$file"; done
            else
              touch "$out/model.safetensors"; echo '{"epoch": 10, "test_top1": 90.1}' > "$out/metrics.jsonl"
            fi
            """
        try writeExecutable(stand, to: root.appendingPathComponent("entrannas"))
    }

    override func tearDown() {
        // The stopped script's session (its lanes and stand-ins), even where no stand-in started.
        let session = lines("sid").compactMap { Int32($0) }
        for group in Set(groups + session) { kill(-group, SIGKILL) }
        super.tearDown()
    }

    private var environment: [String: String] {
        ["BIN": root.appendingPathComponent("entrannas").path, "RUNS": root.appendingPathComponent("runs").path,
         "KEPT": root.appendingPathComponent("kept").path, "JOBS": "2"]
    }

    private func lines(_ file: String) -> [String] {
        ((try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }
    private var calls: [String] { lines("calls.txt") }
    private var groups: [Int32] { lines("pgids").compactMap { Int32($0) } }

    private func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    func testAStopSavesBothSearchesAndTheNextRunResumesThemAndFinishesEverything() throws {
        // In a session of its own, as background.sh starts a lane (the lane's shell runs it),
        // stopped as it stops one. The shell notes the checkpoints there are when the script exits.
        let process = try startInSession(["bash", "-c",
                                          #"echo $$ > sid; trap : TERM; bash "$0"; rc=$?; ls runs/seed*/checkpoint.safetensors > at-exit; exit $rc"#,
                                          root.appendingPathComponent(script).path],
                                         in: root, environment: environment.merging(["SEARCH_SECONDS": "60"]) { _, new in new })
        let deadline = Date().addingTimeInterval(20)
        while calls.count < 2, Date() < deadline { usleep(100_000) }
        XCTAssertEqual(calls.sorted(), ["search seed1 resume=0", "search seed2 resume=0"])
        kill(-(try XCTUnwrap(groups.first)), SIGTERM)
        let stopped = Date()
        process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(stopped), 30, "the stop did not reach the searches")
        XCTAssertEqual(process.terminationStatus, 0, "a stop is not a failure")
        XCTAssertEqual(calls.count, 2, "a run started after the stop: \(calls)")
        XCTAssertEqual(lines("at-exit"), ["runs/seed1/checkpoint.safetensors", "runs/seed2/checkpoint.safetensors"],
                       "the script exited before both searches had saved")
        XCTAssertFalse(exists("kept/seed1") || exists("kept/seed2"), "a stopped search was kept")

        // The next run resumes the two, searches 3 and 4 afresh, then trains every cell once.
        let resumed = try runBash(root.appendingPathComponent(script), environment: environment)
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        XCTAssertEqual(calls.dropFirst(2).sorted(), [
            "search seed1 resume=1", "search seed2 resume=1", "search seed3 resume=0", "search seed4 resume=0",
            "train train-seed1 resume=0", "train train-seed2 resume=0", "train train-seed3 resume=0", "train train-seed4 resume=0"])
        for seed in 1...4 {
            XCTAssertEqual(lines("kept/seed\(seed)/report.json"), ["seed\(seed)"])
            XCTAssertTrue(exists("kept/train-seed\(seed)/finished"), "training \(seed) not kept")
        }
        XCTAssertFalse(exists("kept/seed1.part"))

        // Everything kept: nothing runs again, even on a machine without the run folders.
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs"))
        let again = try runBash(root.appendingPathComponent(script), environment: environment)
        XCTAssertEqual(again.status, 0, again.errors)
        XCTAssertEqual(calls.count, 10, "\(calls)")
    }

    func testAFailedSearchFailsTheScriptAndTheOtherSeedsFinish() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: root.appendingPathComponent("fail-seed3").path, contents: nil))
        let result = try runBash(root.appendingPathComponent(script), environment: environment)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("error: the search of seed 3 failed (exit 3)"), result.errors)
        for seed in [1, 2, 4] {
            XCTAssertTrue(exists("kept/seed\(seed)/report.json"), "search \(seed)")
            XCTAssertTrue(exists("kept/train-seed\(seed)/finished"), "training \(seed)")
        }
        XCTAssertFalse(exists("kept/seed3") || exists("kept/train-seed3"))
        XCTAssertFalse(calls.contains("train train-seed3 resume=0"))
    }
}
