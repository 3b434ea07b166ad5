import Foundation
import XCTest

/// `--profile N` of search and train (StepProfiler.swift): a trace that parses and names the
/// convolutions and the loop's ranges, the table on the terminal, in profile.md and report.html,
/// and a run that stops with its checkpoint and continues with --resume.
final class ProfileCommandTests: XCTestCase {
    private func traceNames(_ url: URL) throws -> Set<String> {
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let events = try XCTUnwrap(root["traceEvents"] as? [[String: Any]], "no traceEvents in \(url.path)")
        return Set(events.compactMap { $0["name"] as? String })
    }

    func testSearchProfileStopsAndResumes() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        let flags = ["search", "--preset", "quick", "--epochs", "2", "--warmup-epochs", "0", "--limit", "128", "--batch-size", "16",
                     "--layers", "3", "--steps", "2", "--init-channels", "4", "--output", output.path]
        let run = try EntranNASBinary.run(flags + ["--profile", "2"], in: folder, name: "profile")
        XCTAssertTrue(run.output.contains("profiled 2 search steps (after 1 not recorded)"), run.output)
        XCTAssertTrue(run.output.contains("| operator | calls per step | self ms per step |"), run.output)
        let names = try traceNames(output.appendingPathComponent("profile.json"))
        for name in ["EngineCell", "TransitCell", "architecture step", "weight step"] {
            XCTAssertTrue(names.contains(name), "\(name) is not in the trace")
        }
        XCTAssertTrue(names.contains { $0.contains("convolution") }, "no convolution in the trace: \(names.sorted())")
        let markdown = try String(contentsOf: output.appendingPathComponent("profile.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Profile: 2 search steps after 1 not recorded"), markdown)
        XCTAssertTrue(markdown.contains("convolution"), markdown)
        let html = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Profile: 2 search steps"), "report.html has no profile section")
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoint.safetensors").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("genotype.txt").path),
                       "the search went on after its profile")

        let resumed = try EntranNASBinary.run(flags + ["--resume"], in: folder, name: "resume")
        XCTAssertTrue(resumed.output.contains("resumed at epoch 1, step 3"), resumed.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("genotype.txt").path))
        XCTAssertEqual(try metricsRecords(output.appendingPathComponent("metrics.jsonl")).count, 2)
    }

    func testTrainProfileNamesTheTrainingStepAndResumes() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("train")
        let run = try EntranNASBinary.run(["train", "--genotype", "DARTS_V2", "--preset", "quick", "--epochs", "1", "--limit", "64",
                                           "--layers", "2", "--init-channels", "4", "--batch-size", "16", "--profile", "1",
                                           "--output", output.path], in: folder, name: "profile")
        XCTAssertTrue(run.output.contains("profiled 1 training step (after 1 not recorded)"), run.output)
        XCTAssertTrue(run.output.contains("the training stops after its profile"), run.output)
        let names = try traceNames(output.appendingPathComponent("profile.json"))
        XCTAssertTrue(names.contains("training step"), "no training step in the trace: \(names.sorted())")
        XCTAssertTrue(names.contains { $0.contains("convolution") }, "no convolution in the trace")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path))
        // A seed given on resume is checked against the run's, not ignored.
        let seed = try EntranNASBinary.run(["train", "--output", output.path, "--resume", "--seed", "9"], in: folder, name: "seed",
                                           expecting: 1)
        XCTAssertTrue(seed.errors.contains("cannot resume: setting 'seed' is 9 here but 2 in the checkpoint"), seed.errors)
        try EntranNASBinary.run(["train", "--output", output.path, "--resume"], in: folder, name: "resume")
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path))
    }

    func testProfileOfNoStepsIsRefused() throws {
        let folder = try temporaryFolder(self)
        let run = try EntranNASBinary.run(["search", "--preset", "quick", "--profile", "0", "--output", folder.appendingPathComponent("s").path],
                                          in: folder, name: "zero", seconds: 60, expecting: 64)
        XCTAssertTrue(run.errors.contains("--profile needs at least 1 step, got 0"), run.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("s").path))
    }
}
