import Foundation
import XCTest

/// experiments/fashion-mnist-long/run.sh picks its searched cell from experiment v2 (both kept
/// parts merged, through `entrannas report`'s best-genotype.txt) when it first runs for that
/// cell, pins it in a file beside the script, and later runs train the pinned cell whatever
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
        // `report` is the real binary; `train` holds its folder's lock as entrannas does, logs its
        // arguments and how many trainings run at that moment, takes TRAIN_SECONDS and leaves a
        // finished folder, or fails for a file fail-NAME. Stopped (SIGTERM, or SIGINT as Ctrl-C
        // sends it, which entrannas catches even where a background shell ignores it: perl can,
        // bash cannot), it saves a checkpoint, logs that, and exits 130: in three seconds, but in
        // one for a second instance (JOBS=1, from JOBS=2), which then must not start another
        // before the first instance is done. A second instance's trainings take HELPER_SECONDS
        // where given, and fail for a file fail-helper. Perl logs the start once its handlers
        // are set, so a stop sent after the log is caught.
        let bin = """
            #!/usr/bin/env bash
            [ "$1" = report ] && exec "\(EntranNASBinary.url.path)" "$@"
            trap : TERM INT
            helper=$([ "${JOBS:-}" = 1 ] && echo 1 || true)
            save=1 seconds=${TRAIN_SECONDS:-0}
            [ -n "$helper" ] || save=3
            [ -z "$helper" ] || seconds=${HELPER_SECONDS:-$seconds}
            args="$*"
            while [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done
            mkdir -p "$out" "\(root.path)/running"
            exec 8>"$out/.entrannas.lock"; flock 8
            if [ -f "\(root.path)/fail-$(basename "$out")" ] || { [ -n "$helper" ] && [ -f "\(root.path)/fail-helper" ]; }; then
              echo "$args" >> "\(root.path)/trained.txt"; exit 3
            fi
            touch "\(root.path)/running/$$"; ls "\(root.path)/running" | wc -l >> "\(root.path)/concurrency.txt"
            if ! perl -e '$SIG{INT} = $SIG{TERM} = sub { exit 130 };
                          open(my $log, ">>", $ARGV[1]) or die; print $log "$ARGV[2]\\n"; close($log); sleep $ARGV[0]' \\
                 "$seconds" "\(root.path)/trained.txt" "$args"; then
              sleep $save; rm "\(root.path)/running/$$"; touch "$out/checkpoint.safetensors"
              echo "saved $(basename "$out")" >> "\(root.path)/saved.txt"; exit 130
            fi
            rm "\(root.path)/running/$$"
            touch "$out/model.safetensors"
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

    /// run.sh with CELLS="DARTS_V2 searched", JOBS=2 and `environment`.
    private func environment(_ more: [String: String] = [:]) -> [String: String] {
        ["BIN": root.appendingPathComponent("bin").path, "RUNS": root.appendingPathComponent("runs").path,
         "CELLS": "DARTS_V2 searched", "JOBS": "2"].merging(more) { _, new in new }
    }

    /// Starts run.sh in a session of its own, as a lane runs it, until `ready` holds; stops it
    /// with `signal` to the session (SIGTERM as a lane is stopped, SIGINT as Ctrl-C), and returns
    /// what the stand-ins had saved when the script exited.
    private func stopped(with signal: Int32, _ environment: [String: String], when ready: () -> Bool) throws -> [String] {
        let process = try startInSession(["bash", "-c", #"echo $$ > sid; trap : TERM INT; bash "$0"; sort saved.txt > at-exit"#, script.path],
                                         in: root, environment: environment)
        let sid = root.appendingPathComponent("sid")
        let session = { Int32(((try? String(contentsOf: sid, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) }
        defer {
            if let group = session() { kill(-group, SIGKILL) }
            try? FileManager.default.removeItem(at: sid)
        }
        var deadline = Date().addingTimeInterval(30)
        while !ready(), Date() < deadline { usleep(100_000) }
        usleep(500_000)
        XCTAssertTrue(ready(), "not ready to stop: \(trained)")
        kill(-(try XCTUnwrap(session())), signal)
        deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(100_000) }
        XCTAssertFalse(process.isRunning, "the script did not exit within 30 s of the stop")
        return ((try? String(contentsOf: root.appendingPathComponent("at-exit"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The run folders that `train` was called for, in order.
    private var trainedFolders: [String] {
        trained.map { $0.components(separatedBy: " --output \(root.path)/runs/")[1].components(separatedBy: " ")[0] }
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

    /// SEEDS trains each cell again under NAME-tN with `--seed N` (seed 1 keeps the protocol's
    /// names); JOBS=2 runs two at once, and a stop waits for both before the script exits.
    func testSeedsTrainEachCellAgainAndTwoJobsShareTheListAndStopTogether() throws {
        let environment = environment(["SEEDS": "1 2"])
        // The first two of the list, one per instance (seed 1 of both cells). Ctrl-C (SIGINT)
        // saves both, and the second instance, whose training saves first, starts no other.
        XCTAssertEqual(try stopped(with: SIGINT, environment.merging(["TRAIN_SECONDS": "60"]) { _, new in new }) { trained.count == 2 },
                       ["saved DARTS_V2", "saved v2-best-darts-seed2"], "the script exited before both trainings had saved")
        XCTAssertEqual(Set(trainedFolders), ["DARTS_V2", "v2-best-darts-seed2"], "a training started after the stop")
        XCTAssertTrue(trained.allSatisfy { $0.hasSuffix("--init-channels 16 --seed 1") }, "\(trained)")

        // The next run resumes the two and trains seed 2 of each cell under its own name.
        let run = try runBash(script, environment: environment)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(Set(trained.dropFirst(2)), [
            "train --output \(root.path)/runs/DARTS_V2 --resume", "train --output \(root.path)/runs/v2-best-darts-seed2 --resume",
            "train --output \(root.path)/runs/DARTS_V2-t2 --genotype DARTS_V2 --preset paper --dataset fashion-mnist --epochs 40 --layers 8 --init-channels 16 --seed 2",
            "train --output \(root.path)/runs/v2-best-darts-seed2-t2 --genotype \(pinned.path) --preset paper --dataset fashion-mnist --epochs 40 --layers 8 --init-channels 16 --seed 2"])
        let concurrency = ((try? String(contentsOf: root.appendingPathComponent("concurrency.txt"), encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { Int($0) }
        XCTAssertEqual(concurrency.max(), 2, "JOBS=2 runs two trainings at once, never more: \(concurrency)")
        for name in ["DARTS_V2", "DARTS_V2-t2", "v2-best-darts-seed2", "v2-best-darts-seed2-t2"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("experiments/fashion-mnist-long/kept/\(name)/finished").path),
                          "\(name) not kept")
        }
        XCTAssertEqual(try runBash(script, environment: environment).status, 0)
        XCTAssertEqual(trained.count, 6, "a finished training ran again")

        for (name, value, message) in [("SEEDS", "1 x", "error: SEEDS holds 'x'"), ("JOBS", "0", "error: JOBS is '0'")] {
            let wrong = try runBash(script, environment: environment.merging([name: value]) { _, new in new })
            XCTAssertEqual(wrong.status, 2)
            XCTAssertTrue(wrong.errors.hasPrefix(message), wrong.errors)
        }
        XCTAssertEqual(trained.count, 6)
    }

    /// A failed training fails the script after the rest of the list, whichever instance had it;
    /// an instance done with the list waits for the other, through a stop.
    func testFailuresCountAndTheFirstInstanceWaitsForTheSecond() throws {
        try write("", "fail-DARTS_V2")
        let failed = try runBash(script, environment: environment(["SEEDS": "1 2", "JOBS": "1"]))
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertEqual(trainedFolders, ["DARTS_V2", "v2-best-darts-seed2", "DARTS_V2-t2", "v2-best-darts-seed2-t2"])

        try FileManager.default.removeItem(at: root.appendingPathComponent("fail-DARTS_V2"))
        try write("", "fail-helper")
        // The first instance's training takes 2 s, so the second one gets a training, whichever
        // it locks first (and the first may retry the one that failed).
        XCTAssertNotEqual(try runBash(script, environment: environment(["SEEDS": "3", "TRAIN_SECONDS": "2"])).status, 0,
                          "the second instance failed")
        XCTAssertEqual(Set(trainedFolders.dropFirst(4)), ["DARTS_V2-t3", "v2-best-darts-seed2-t3"])

        // The first instance finishes its training (1 s) and waits for the second's (60 s), which a
        // lane's stop (SIGTERM) reaches: the script exits only once that one has saved.
        try FileManager.default.removeItem(at: root.appendingPathComponent("fail-helper"))
        let kept = root.appendingPathComponent("experiments/fashion-mnist-long/kept")
        let saved = try stopped(with: SIGTERM, environment(["SEEDS": "4", "TRAIN_SECONDS": "1", "HELPER_SECONDS": "60"])) {
            ["DARTS_V2-t4", "v2-best-darts-seed2-t4"].contains { FileManager.default.fileExists(atPath: kept.appendingPathComponent("\($0)/finished").path) }
        }
        XCTAssertEqual(Set(trainedFolders.filter { $0.hasSuffix("-t4") }), ["DARTS_V2-t4", "v2-best-darts-seed2-t4"])
        XCTAssertEqual(saved.count, 1, "the script exited before the second instance's training had saved")
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
        // DARTS_V2 alone does not need v2.
        let fixed = try runBash(script, environment: environment(["CELLS": "DARTS_V2", "JOBS": "1"]))
        XCTAssertEqual(fixed.status, 0, fixed.errors)
        XCTAssertEqual(trainedFolders, ["DARTS_V2"])
    }
}
