import Foundation
import XCTest

/// experiments/background.sh, on stand-in jobs in a copy of the experiments tree: each lane runs
/// its jobs in order at nice 19 (its scheduling group too), a second start leaves a running lane
/// alone, and `stop` ends both lanes with SIGTERM before their next job starts, returning only
/// once the jobs have exited (a checkpoint takes a while), also when a job finishes normally in
/// spite of the stop.
final class BackgroundLanesTests: XCTestCase {
    private var root: URL!

    /// The script, copied, with four stand-in jobs that log their start (name, PART, CELLS, JOBS,
    /// niceness, their scheduling group's niceness) to `jobs.txt`, sleep `JOB_SECONDS`, and on
    /// SIGTERM take a second (a checkpoint), log it and exit with `TERM_STATUS` (130, or 0 as a run
    /// in its last epoch ends normally).
    override func setUpWithError() throws {
        root = try temporaryFolder(self)
        let experiments = root.appendingPathComponent("experiments")
        try copyFromRepository(["experiments/background.sh"], to: root)
        for job in ["fashion-mnist-v2/run.sh", "fashion-mnist-cpu-dst-pull-mean/run.sh", "fashion-mnist-long/run.sh",
                    "consistency-gap/retrain.sh", "fashion-mnist-cpu-dst-pull-mean/settle-e20.sh"] {
            let url = experiments.appendingPathComponent(job)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let text = """
                #!/usr/bin/env bash
                group=$(sed -nE 's/.* nice (-?[0-9]+)$/ group=\\1/p' /proc/self/autogroup 2>/dev/null || true)
                trap 'sleep 1; echo "\(job) TERM" >> "\(root.path)/jobs.txt"; exit ${TERM_STATUS:-130}' TERM
                echo "\(job) PART=${PART:-} CELLS=${CELLS:-} JOBS=${JOBS:-} SEEDS=${SEEDS:-} nice=$(nice)$group" >> "\(root.path)/jobs.txt"  # once the trap is set
                echo "job: \(job) SEEDS=${SEEDS:-}"  # into its lane's log
                sleep "${JOB_SECONDS:-0}" & wait $!
                """
            try writeExecutable(text, to: url)
        }
    }

    /// Runs `background.sh ARGUMENT` and returns its output.
    @discardableResult
    private func lanes(_ argument: String, jobSeconds: Int = 0, termStatus: Int = 130) throws -> String {
        let run = try runBash(root.appendingPathComponent("experiments/background.sh"), [argument],
                              environment: ["JOB_SECONDS": "\(jobSeconds)", "TERM_STATUS": "\(termStatus)"])
        XCTAssertEqual(run.status, 0, run.output + run.errors)
        return run.output
    }

    /// Waits until `status` shows both lanes stopped.
    private func waitUntilStopped(seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try lanes("status").contains(": running") {
            guard Date() < deadline else { return XCTFail("the lanes still run after \(seconds) s") }
            usleep(200_000)
        }
    }

    private func log(_ lane: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent("runs/lane-\(lane).log"), encoding: .utf8)) ?? ""
    }

    /// A lane's niceness as a stand-in job logs it: nice 19, and where the kernel groups sessions
    /// for scheduling (autogroup), its group's nice value too, without which nice 19 counts only
    /// inside the lane's own group.
    private let niced = "nice=19" + (FileManager.default.fileExists(atPath: "/proc/self/autogroup") ? " group=19" : "")

    private var jobs: [String] {
        ((try? String(contentsOf: root.appendingPathComponent("jobs.txt"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    func testLanesRunTheirJobsInOrderAndStopOnSIGTERM() throws {
        let wrong = try runBash(root.appendingPathComponent("experiments/background.sh"), ["restart"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.errors.hasPrefix("# usage: experiments/background.sh ") && wrong.errors.hasSuffix("and exited\n"), wrong.errors)

        XCTAssertEqual(try lanes("start"), "lane v2: started (log runs/lane-v2.log)\nlane long: started (log runs/lane-long.log)\n")
        let done = Date().addingTimeInterval(30)
        while !["v2", "long"].allSatisfy({ log($0).contains("== lane \($0) done") }) {
            guard Date() < done else { return XCTFail("the lanes did not finish: \(log("v2")) \(log("long"))") }
            usleep(100_000)
        }
        try waitUntilStopped(seconds: 10)
        let laneV2 = { (job: String) in
            ["fashion-mnist-v2", "fashion-mnist-cpu-dst-pull-mean/run.sh"].contains { job.hasPrefix($0) } || job.contains("SEEDS=2")
        }
        XCTAssertEqual(jobs.filter(laneV2), [
            "fashion-mnist-v2/run.sh PART=late CELLS= JOBS=2 SEEDS= \(niced)", "fashion-mnist-v2/run.sh PART=main CELLS= JOBS=2 SEEDS= \(niced)",
            "fashion-mnist-cpu-dst-pull-mean/run.sh PART= CELLS= JOBS=2 SEEDS= \(niced)",
            "fashion-mnist-long/run.sh PART= CELLS=DARTS_V2 searched JOBS=2 SEEDS=2 \(niced)"])
        XCTAssertTrue(log("v2").contains("job: fashion-mnist-long/run.sh SEEDS=2\n"), log("v2"))
        XCTAssertFalse(log("long").contains("SEEDS=2"), log("long"))
        XCTAssertEqual(jobs.filter { !laneV2($0) }, [
            "fashion-mnist-long/run.sh PART= CELLS=DARTS_V2 JOBS= SEEDS= \(niced)", "consistency-gap/retrain.sh PART= CELLS= JOBS= SEEDS= \(niced)",
            "fashion-mnist-long/run.sh PART= CELLS=searched JOBS= SEEDS= \(niced)",
            "fashion-mnist-cpu-dst-pull-mean/settle-e20.sh PART= CELLS= JOBS=1 SEEDS= \(niced)"])

        // Slow jobs: a second start leaves the running lanes alone; stop ends each lane's first job
        // with SIGTERM, and no later job starts.
        try FileManager.default.removeItem(at: root.appendingPathComponent("jobs.txt"))
        try lanes("start", jobSeconds: 60)
        XCTAssertEqual(try lanes("start", jobSeconds: 60), "lane v2: already running\nlane long: already running\n")
        let deadline = Date().addingTimeInterval(10)
        while jobs.count < 2 && Date() < deadline { usleep(100_000) }
        XCTAssertTrue(try lanes("status").contains("lane v2: running"))
        XCTAssertEqual(try lanes("stop"), "lane v2: stopping\nlane long: stopping\nlane v2: stopped\nlane long: stopped\n")
        // No waiting here: stop returned after the jobs had saved and exited.
        XCTAssertEqual(Set(jobs), ["fashion-mnist-v2/run.sh PART=late CELLS= JOBS=2 SEEDS= \(niced)", "fashion-mnist-v2/run.sh TERM",
                                   "fashion-mnist-long/run.sh PART= CELLS=DARTS_V2 JOBS= SEEDS= \(niced)", "fashion-mnist-long/run.sh TERM"])
        XCTAssertFalse(try lanes("status").contains(": running"))

        // A job that ends normally in spite of the stop (entrannas finishes a run in its last
        // epoch): the lane still starts no further job.
        try FileManager.default.removeItem(at: root.appendingPathComponent("jobs.txt"))
        try lanes("start", jobSeconds: 60, termStatus: 0)
        let started = Date().addingTimeInterval(10)
        while jobs.count < 2 && Date() < started { usleep(100_000) }
        XCTAssertEqual(try lanes("stop"), "lane v2: stopping\nlane long: stopping\nlane v2: stopped\nlane long: stopped\n")
        usleep(1_500_000)
        XCTAssertEqual(Set(jobs), ["fashion-mnist-v2/run.sh PART=late CELLS= JOBS=2 SEEDS= \(niced)", "fashion-mnist-v2/run.sh TERM",
                                   "fashion-mnist-long/run.sh PART= CELLS=DARTS_V2 JOBS= SEEDS= \(niced)", "fashion-mnist-long/run.sh TERM"])
    }
}
