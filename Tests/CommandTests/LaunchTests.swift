import Foundation
import Torch
import XCTest

/// Data-parallel runs over c10d on the loopback interface, through the command line: two
/// processes compute exactly what one process computes with the same rows per batch-norm call
/// (`--batch-chunks 2`), only rank 0 writes, a stopped run resumes, and a dead rank ends the run.
final class LaunchTests: XCTestCase {
    /// The first 1,000 Fashion-MNIST images: every rank loads its dataset, and the whole one
    /// takes a debug build about 2 s a process.
    private var data: URL!

    override func setUpWithError() throws {
        guard EntranNASBinary.hasGloo else {
            throw XCTSkip("this build's libtorch has no Gloo process group (the PyPI wheel ships none; Debian's has one)")
        }
        data = try smallFashionMNIST(in: temporaryFolder(self).appendingPathComponent("data"), train: 1000, test: 100)
    }

    /// A small search: 3 cells of 2 nodes, 4 channels; 128 images, half for the weights, in
    /// batches of 16 (4 steps an epoch).
    private func search(_ method: String, output: URL, epochs: Int = 1, limit: Int = 128) -> [String] {
        ["search", "--method", method, "--preset", "quick", "--epochs", "\(epochs)", "--warmup-epochs", "0",
         "--limit", "\(limit)", "--batch-size", "16", "--layers", "3", "--steps", "2", "--init-channels", "4",
         "--seed", "3", "--data", data.path, "--output", output.path]
    }

    /// Two ranks on this machine; the launcher picks the rendezvous port.
    private func launch(_ command: [String]) -> [String] {
        ["launch", "--nproc-per-node", "2", "--"] + command
    }

    /// Architecture weights, training loss and genotype of every epoch.
    private func trajectory(_ run: URL) throws -> [(weights: [Double], loss: Double, genotype: String)] {
        try metricsRecords(run.appendingPathComponent("metrics.jsonl")).map { record in
            let weights = ["normal_weights", "reduce_weights"].flatMap { (record[$0] as! [[Double]]).joined() }
            return (weights, record["train_loss"] as! Double, record["genotype"] as! String)
        }
    }

    private func assertSameTrajectory(_ a: URL, _ b: URL, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try trajectory(a), y = try trajectory(b)
        XCTAssertEqual(x.count, y.count, what, file: file, line: line)
        for (p, q) in zip(x, y) {
            let gap = zip(p.weights, q.weights).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(gap, 1e-6, "\(what): architecture weights differ by \(gap)", file: file, line: line)
            XCTAssertEqual(p.loss, q.loss, accuracy: 1e-5, "\(what): training loss", file: file, line: line)
            XCTAssertEqual(p.genotype, q.genotype, what, file: file, line: line)
        }
    }

    /// Every method's gradients (weights and architecture, DARTS' second-order step included)
    /// are the mean over the whole batch: 2 processes at batch 16 end where 1 process at batch
    /// 16 in 2 chunks ends, step for step.
    func testTwoProcessesComputeWhatOneProcessWithTwoChunksComputes() throws {
        let folder = try temporaryFolder(self)
        for method in ["darts", "darts-2nd", "pc-darts", "entrannas", "entrannas-dst"] {
            let one = folder.appendingPathComponent("\(method)-one"), two = folder.appendingPathComponent("\(method)-two")
            try EntranNASBinary.run(search(method, output: one) + ["--batch-chunks", "2"], in: folder, name: "\(method)-one")
            let coresBefore = try MachineLoad.coresAvailable()
            let launched = try EntranNASBinary.run(launch(search(method, output: two)), in: folder, name: "\(method)-two")
            let cores = min(coresBefore, try MachineLoad.coresAvailable())
            XCTAssertTrue(launched.output.contains("2 processes"), launched.output)
            try assertSameTrajectory(one, two, method)
            // The record's cpu_seconds sums the ranks. A process of one thread spends at most
            // about one CPU second per second: rank 0's own CPU is 0.84-0.98 times the epoch's wall
            // time (measured with the sum removed), the two ranks' sum 1.70-1.87 times. Against
            // the run's own clock, not another run's CPU, which varied by 1.5x from run to run on
            // a shared machine; it needs a core for each rank, so it is checked only where two
            // spinning processes got them just before and just after the run.
            let record = try XCTUnwrap(metricsRecords(two.appendingPathComponent("metrics.jsonl")).last)
            let cpu = try XCTUnwrap(record["cpu_seconds"] as? Double), wall = try XCTUnwrap(record["seconds"] as? Double)
            if cores >= 1.7 {
                XCTAssertGreaterThan(cpu, 1.35 * wall, "\(method): the two ranks' CPU is summed (\(cpu) CPU s in an epoch of \(wall) s)")
            } else {
                print("LaunchTests: \(method): this test's processes got \(String(format: "%.2f", cores)) cores, so the summed-CPU bound is not checked")
            }
        }
    }

    /// Two groups launched at the same time on one machine each get a free rendezvous port
    /// (torchrun's --standalone; a fixed 29500 would make them collide), and both finish.
    func testTwoLaunchesAtOnceMeetAtTheirOwnPorts() throws {
        let folder = try temporaryFolder(self)
        let runs = try ["a", "b"].map { name in
            try EntranNASBinary.Running(launch(search("entrannas", output: folder.appendingPathComponent(name))), in: folder, name: name)
        }
        for run in runs { XCTAssertEqual(run.wait(seconds: 300), 0, run.errors) }
        let named = runs.compactMap { $0.output.firstMatch(of: /rendezvous 127\.0\.0\.1:(\d+)/).map { String($0.1) } }
        XCTAssertEqual(named.count, 2, runs.map(\.output).joined(separator: "\n"))
        XCTAssertNotEqual(named.first, named.last)
        XCTAssertFalse(named.contains("29500"))
        let refused = try EntranNASBinary.run(["launch", "--standalone", "--nnodes", "2", "--", "search"], in: folder,
                                              name: "refused", expecting: 64)
        XCTAssertTrue(refused.errors.contains("--standalone is for one machine"), refused.errors)
    }

    /// Rank 1, given an output folder of its own, creates nothing there and prints nothing.
    func testOnlyRankZeroWritesFilesAndPrints() throws {
        let folder = try temporaryFolder(self)
        let port = try ProcessGroup.freeLoopbackPort()
        let ranks = try (0..<2).map { rank in
            try EntranNASBinary.Running(search("entrannas", output: folder.appendingPathComponent("rank\(rank)")), in: folder,
                                        name: "rank\(rank)",
                                        environment: ["RANK": "\(rank)", "WORLD_SIZE": "2", "MASTER_PORT": "\(port)"])
        }
        for (rank, process) in ranks.enumerated() {
            XCTAssertEqual(process.wait(seconds: 300), 0, "rank \(rank): \(process.errors)")
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("rank0").path)
        for name in ["genotype.json", "metrics.jsonl", "checkpoint.safetensors", "log.txt", "report.html"] {
            XCTAssertTrue(written.contains(name), "rank 0 wrote \(written)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("rank1").path))
        // Both ranks' machines are gathered; on one machine that is one line.
        let log = try String(contentsOf: folder.appendingPathComponent("rank0/log.txt"), encoding: .utf8)
        let machineLines = log.split(separator: "\n").filter { $0.contains("  machine: ") }
        XCTAssertEqual(machineLines.count, 1, log)
        XCTAssertTrue(machineLines.first.map { $0.contains(" cores") } ?? false, log)
        XCTAssertTrue(ranks[0].output.contains("final genotype"))
        XCTAssertEqual(ranks[1].output, "")
    }

    /// Ctrl-C stops both ranks at the same step with a checkpoint; `--resume` on 2 processes
    /// ends exactly where an uninterrupted 2-process run ends.
    func testAStoppedTwoProcessRunResumesToTheUninterruptedResult() throws {
        let folder = try temporaryFolder(self)
        let straight = folder.appendingPathComponent("straight"), stopped = folder.appendingPathComponent("stopped")
        try EntranNASBinary.run(launch(search("entrannas-dst", output: straight, epochs: 3, limit: 256)), in: folder, name: "straight")

        let first = try EntranNASBinary.Running(launch(search("entrannas-dst", output: stopped, epochs: 3, limit: 256)),
                                                in: folder, name: "first")
        let metrics = stopped.appendingPathComponent("metrics.jsonl")
        let deadline = Date().addingTimeInterval(240)
        while first.process.isRunning && Date() < deadline
            && ((try? String(contentsOf: metrics, encoding: .utf8))?.contains("\n") ?? false) == false {
            usleep(20_000)
        }
        kill(first.process.processIdentifier, SIGINT)
        XCTAssertEqual(first.wait(seconds: 120), 130, first.errors)
        XCTAssertLessThan(try metricsRecords(metrics).count, 3, "the stop came before the last epoch")
        XCTAssertTrue(first.output.contains("--resume"), first.output)

        try EntranNASBinary.run(launch(search("entrannas-dst", output: stopped, epochs: 3, limit: 256) + ["--resume"]),
                                in: folder, name: "resumed")
        try assertSameTrajectory(straight, stopped, "resumed run")
    }

    /// A rank killed mid-run brings the launcher and the other rank down with an error naming it.
    func testAKilledRankEndsTheLaunchedRun() throws {
        let folder = try temporaryFolder(self)
        let run = try EntranNASBinary.Running(launch(search("entrannas", output: folder.appendingPathComponent("run"),
                                                            epochs: 50, limit: 512)),
                                              in: folder, name: "launch")
        var pid: pid_t?
        let deadline = Date().addingTimeInterval(60)
        while pid == nil && Date() < deadline {
            if let match = run.output.firstMatch(of: /rank 1 pid (\d+)/) { pid = pid_t(match.1) }
            usleep(20_000)
        }
        guard let pid else { return XCTFail("the launcher named no pid for rank 1: \(run.output) \(run.errors)") }
        sleep(3)  // inside the search loop
        kill(pid, SIGKILL)
        let status = run.wait(seconds: 60)
        XCTAssertNotNil(status, "the launcher hung after rank 1 died")
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(run.errors.contains("rank 1 was killed by signal 9"), run.errors)
    }

    /// A timeout libtorch cannot hold is named in one line before any rank joins.
    func testAnImpossibleTimeoutIsNamed() throws {
        let folder = try temporaryFolder(self)
        let run = try EntranNASBinary.run(search("entrannas", output: folder.appendingPathComponent("run"), epochs: 1, limit: 64),
                                          in: folder, name: "timeout", environment: [
                                              "RANK": "0", "WORLD_SIZE": "2", "MASTER_PORT": "29500", "ENTRANNAS_DIST_TIMEOUT": "inf"],
                                          expecting: 1)
        XCTAssertTrue(run.errors.contains("ENTRANNAS_DIST_TIMEOUT is 'inf'; give a number of seconds above 0"), run.errors)
        XCTAssertEqual(run.errors.split(separator: "\n").filter { !$0.isEmpty }.count, 1, run.errors)
    }

    /// Without a launcher, rank 0 notices its peer's death and exits with an error instead of waiting forever.
    func testAKilledPeerEndsTheOtherRankWithoutALauncher() throws {
        let folder = try temporaryFolder(self)
        let port = try ProcessGroup.freeLoopbackPort()
        let ranks = try (0..<2).map { rank in
            try EntranNASBinary.Running(search("entrannas", output: folder.appendingPathComponent("run\(rank)"), epochs: 50, limit: 512),
                                        in: folder, name: "rank\(rank)",
                                        environment: ["RANK": "\(rank)", "WORLD_SIZE": "2", "MASTER_PORT": "\(port)",
                                                      "ENTRANNAS_DIST_TIMEOUT": "30"])
        }
        let log = folder.appendingPathComponent("run0").appendingPathComponent("log.txt")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: log.path) && Date() < deadline { usleep(20_000) }
        sleep(3)
        kill(ranks[1].process.processIdentifier, SIGKILL)
        let status = ranks[0].wait(seconds: 90)
        XCTAssertNotNil(status, "rank 0 hung after rank 1 died")
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(ranks[0].errors.contains("Error:"), ranks[0].errors)
    }
}
