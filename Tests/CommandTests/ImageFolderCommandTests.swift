import Foundation
import Torch
import XCTest

/// `--dataset folder` end to end on a generated ImageFolder: search, train the result, evaluate
/// it; an unreadable image stops the run naming the file, or is skipped on request (also by a
/// resume); one folder of classes keeps its cut.
final class ImageFolderCommandTests: XCTestCase {
    /// A few classes of small synthetic JPEG and PNG images, made by the project's own tool.
    private func makeImages(in folder: URL) throws -> URL {
        let images = folder.appendingPathComponent("images")
        let tool = EntranNASBinary.url.deletingLastPathComponent().appendingPathComponent("make-image-folder")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else { throw XCTSkip("\(tool.path) is not built") }
        let process = Process()
        process.executableURL = tool
        process.arguments = [images.path, "--classes", "3", "--per-class", "16", "--size", "24"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return images
    }

    private func search(_ images: URL, output: URL, extra: [String] = []) -> [String] {
        ["search", "--dataset", "folder", "--data", images.path, "--image-size", "16", "--method", "entrannas",
         "--preset", "quick", "--epochs", "1", "--warmup-epochs", "0", "--batch-size", "8", "--layers", "3",
         "--steps", "2", "--init-channels", "4", "--workers", "2", "--output", output.path] + extra
    }

    func testSearchTrainAndEvaluateOnAnImageFolder() throws {
        let folder = try temporaryFolder(self)
        let images = try makeImages(in: folder)
        let searched = folder.appendingPathComponent("search"), trained = folder.appendingPathComponent("train")
        let search = try EntranNASBinary.run(search(images, output: searched), in: folder, name: "search")
        XCTAssertTrue(search.output.contains("search: entrannas on folder (3x16x16, 3 classes), 24+24 images"), search.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: searched.appendingPathComponent("genotype.json").path))

        let train = try EntranNASBinary.run(
            ["train", "--dataset", "folder", "--data", images.path, "--image-size", "16",
             "--genotype", searched.appendingPathComponent("genotype.json").path, "--preset", "quick", "--epochs", "1",
             "--layers", "3", "--init-channels", "4", "--batch-size", "8", "--output", trained.path],
            in: folder, name: "train")
        XCTAssertTrue(train.output.contains("on 12 folder test images"), train.output)
        let eval = try EntranNASBinary.run(["eval", "--checkpoint", trained.path], in: folder, name: "eval")
        XCTAssertTrue(eval.output.contains("on 12 folder test images"), eval.output)
    }

    /// A generated folder of classes (no train/ and val/) and the flags that read it at 16 pixels.
    /// 16 images per class: a quarter held out (--val-portion 0.25) leaves 12 test images and
    /// 36 for training (a search's 18+18); the default 0.1 leaves about half as many to test.
    private func folderOfClasses(_ folder: URL) throws -> [String] {
        let classes = try makeImages(in: folder).appendingPathComponent("train")
        return ["--dataset", "folder", "--data", classes.path, "--image-size", "16", "--workers", "2"]
    }

    /// The test images a training or evaluation reports ("... on 12 folder test images"), by
    /// whatever name the dataset was given.
    private func testImages(_ output: String) -> Int? {
        guard let range = output.range(of: #"on \d+ \S+ test images"#, options: .regularExpression) else { return nil }
        return Int(output[range].split(separator: " ")[1])
    }

    private func train(_ output: URL, data: [String]) -> [String] {
        ["train", "--genotype", "DARTS_V2", "--preset", "quick", "--epochs", "1", "--layers", "3", "--init-channels", "4",
         "--batch-size", "8", "--profile", "1", "--output", output.path] + data
    }

    /// Removes `keys` from the settings a checkpoint stores, as a binary from before they were
    /// stored wrote it; returns the values removed.
    private func removeStoredSettings(_ keys: [String], from url: URL) throws -> [String: Any] {
        let file = try Safetensors.load(from: url)
        var metadata = file.metadata
        var settings = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((metadata["configuration"] ?? "").utf8)) as? [String: Any])
        var removed: [String: Any] = [:]
        for key in keys { removed[key] = settings.removeValue(forKey: key) }
        metadata["configuration"] = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
        try Safetensors.save(file.order.map { ($0, file.tensors[$0]!) }, metadata: metadata, to: url)
        return removed
    }

    /// A folder that has since gained train/ cannot give a cut run's parts back: `resume` is
    /// refused, naming that (the folder is restored after).
    private func assertRefusedOnceTheFolderGainsTrain(_ resume: [String], data: [String], in folder: URL) throws {
        let gained = URL(fileURLWithPath: data[3]).appendingPathComponent("train")
        try FileManager.default.createDirectory(at: gained, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: gained) }
        let changed = try EntranNASBinary.run(resume, in: folder, name: "changed", expecting: 1)
        XCTAssertTrue(changed.errors.contains("cannot resume: the run was cut from one folder of classes (--val-portion 0.25), but"),
                      changed.errors)
    }

    /// One folder of classes is cut by --val-portion: a resume without the flag, `eval` and an
    /// exported and imported copy keep the cut the training was started with (a default one
    /// would test on trained images); a resume with another is refused by name. The training
    /// names the dataset by an alias, `eval` by its name: they are the same dataset.
    func testATrainingKeepsTheCutOfItsFolder() throws {
        let folder = try temporaryFolder(self)
        let data = try folderOfClasses(folder)
        let trained = folder.appendingPathComponent("train")
        let alias = ["--dataset", "image-folder"] + data.dropFirst(2)
        _ = try EntranNASBinary.run(train(trained, data: alias) + ["--val-portion", "0.25"], in: folder, name: "train")
        // Stored by its name, as a run's search stores it.
        let config = try String(contentsOf: trained.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"dataset\" : \"folder\""), config)
        let refused = try EntranNASBinary.run(["train", "--output", trained.path, "--resume", "--val-portion", "0.5"],
                                              in: folder, name: "train-refused", expecting: 1)
        XCTAssertTrue(refused.errors.contains("setting 'val-portion' is 0.5 here but 0.25 in the checkpoint"), refused.errors)
        let resumed = try EntranNASBinary.run(["train", "--output", trained.path, "--resume"], in: folder, name: "train-resumed")
        XCTAssertEqual(testImages(resumed.output), 12, resumed.output)
        // Also where --dataset names the training's (its folder is the training's unless --data is given).
        for (name, extra) in [("eval", [String]()), ("eval-named", Array(data.prefix(4))), ("eval-name-only", ["--dataset", "folder"])] {
            let eval = try EntranNASBinary.run(["eval", "--checkpoint", trained.path] + extra, in: folder, name: name)
            XCTAssertEqual(testImages(eval.output), 12, "\(name): \(eval.output)")
        }
        let other = try EntranNASBinary.run(["eval", "--checkpoint", trained.path, "--val-portion", "0.5"], in: folder, name: "eval-other")
        XCTAssertTrue(other.errors.contains("trained with --val-portion 0.25; a test part cut with 0.5 may hold images it trained on"),
                      other.errors)
        // Imported with the cut its test part was made by, an exported network keeps it for eval.
        let exported = folder.appendingPathComponent("exported"), imported = folder.appendingPathComponent("imported")
        _ = try EntranNASBinary.run(["export", "--checkpoint", trained.path, "--output", exported.path, "--check", "no"],
                                    in: folder, name: "export")
        _ = try EntranNASBinary.run(["import", "--weights", exported.appendingPathComponent("state_dict.safetensors").path,
                                     "--genotype", "DARTS_V2", "--val-portion", "0.25", "--output", imported.path] + data,
                                    in: folder, name: "import")
        let importedEval = try EntranNASBinary.run(["eval", "--checkpoint", imported.path], in: folder, name: "eval-imported")
        XCTAssertEqual(testImages(importedEval.output), 12, importedEval.output)
    }

    /// A checkpoint written before the cut was stored resumes, and stores the cut it resumes
    /// with, so that `eval` of it uses that cut too.
    func testAnOlderTrainingStoresTheCutItResumesWith() throws {
        let folder = try temporaryFolder(self)
        let data = try folderOfClasses(folder)
        let trained = folder.appendingPathComponent("train")
        _ = try EntranNASBinary.run(train(trained, data: data) + ["--val-portion", "0.25"], in: folder, name: "train")
        let removed = try removeStoredSettings(["val_portion", "unreadable"], from: trained.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(removed["val_portion"] as? Double, 0.25)
        XCTAssertEqual(removed["unreadable"] as? String, "stop")
        _ = try EntranNASBinary.run(["train", "--output", trained.path, "--resume", "--val-portion", "0.25", "--profile", "1"],
                                    in: folder, name: "resumed")
        try assertRefusedOnceTheFolderGainsTrain(["train", "--output", trained.path, "--resume"], data: data, in: folder)
        let eval = try EntranNASBinary.run(["eval", "--checkpoint", trained.path], in: folder, name: "eval")
        XCTAssertTrue(eval.output.contains("on 12 folder test images"), eval.output)
    }

    /// `run` cuts the folder before its search: the search's resume (by `run` or by `search`)
    /// searches the same training part, and its training tests on the same test part.
    func testARunKeepsTheCutOfItsFolder() throws {
        let folder = try temporaryFolder(self)
        let data = try folderOfClasses(folder)
        let run = folder.appendingPathComponent("run")
        let started = try EntranNASBinary.run(
            ["run", "--method", "entrannas", "--preset", "quick", "--epochs", "1", "--warmup-epochs", "0", "--batch-size", "8",
             "--layers", "3", "--steps", "2", "--init-channels", "4", "--train-layers", "3", "--train-channels", "4",
             "--val-portion", "0.25", "--profile", "1", "--output", run.path] + data,
            in: folder, name: "run")
        XCTAssertTrue(started.output.contains("18+18 images"), started.output)
        let runRefused = try EntranNASBinary.run(["run", "--output", run.path, "--resume", "--val-portion", "0.5"],
                                                 in: folder, name: "run-refused", expecting: 1)
        XCTAssertTrue(runRefused.errors.contains("setting 'val-portion' is 0.5 here but 0.25 in the checkpoint"), runRefused.errors)
        // Two steps more end the one-epoch search: 18 images at batch 8 make 2 steps (the last,
        // incomplete batch is dropped), and the first two were profiled.
        let searched = try EntranNASBinary.run(["search", "--output", run.appendingPathComponent("search").path, "--resume",
                                                "--profile", "1"], in: folder, name: "search-resumed")
        XCTAssertTrue(searched.output.contains("18+18 images"), searched.output)
        let finished = try EntranNASBinary.run(["run", "--output", run.path, "--resume"], in: folder, name: "run-resumed")
        XCTAssertTrue(finished.output.contains("search: already finished"), finished.output)
        XCTAssertTrue(finished.output.contains("on 12 folder test images"), finished.output)
        let config = try String(contentsOf: run.appendingPathComponent("train/config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"val_portion\" : 0.25"), config)
        try assertRefusedOnceTheFolderGainsTrain(["run", "--output", run.path, "--resume"], data: data, in: folder)
        // A search written before the share was stored: the run takes it from its training's checkpoint.
        let removed = try removeStoredSettings(["val_portion"], from: run.appendingPathComponent("search/checkpoint.safetensors"))
        XCTAssertEqual(removed["val_portion"] as? Double, 0.25)
        let older = try EntranNASBinary.run(["run", "--output", run.path, "--resume"], in: folder, name: "run-older")
        XCTAssertTrue(older.output.contains("on 12 folder test images"), older.output)
    }

    func testAnUnreadableImageStopsTheSearchOrIsSkipped() throws {
        let folder = try temporaryFolder(self)
        let images = try makeImages(in: folder)
        let classFolder = images.appendingPathComponent("train").appendingPathComponent(
            try FileManager.default.contentsOfDirectory(atPath: images.appendingPathComponent("train").path).sorted()[0])
        let broken = classFolder.appendingPathComponent("broken.jpg")
        try Data("not a jpeg".utf8).write(to: broken)

        let stopped = try EntranNASBinary.run(search(images, output: folder.appendingPathComponent("stop")), in: folder,
                                              name: "stop", expecting: 1)
        XCTAssertTrue(stopped.errors.contains(broken.path), stopped.errors)
        XCTAssertTrue(stopped.errors.contains("--unreadable skip"), "the fix is named: \(stopped.errors)")

        // Stopped after two steps, then resumed without the flag: the stored policy still skips.
        let skipFolder = folder.appendingPathComponent("skip")
        _ = try EntranNASBinary.run(search(images, output: skipFolder, extra: ["--unreadable", "skip", "--profile", "1"]),
                                    in: folder, name: "skip")
        let skipped = try EntranNASBinary.run(["search", "--output", skipFolder.path, "--resume"], in: folder, name: "skip-resumed")
        XCTAssertTrue(skipped.output.contains("skipped 1 unreadable image file(s) (--unreadable skip): \(broken.path)"),
                      skipped.output)
    }
}
