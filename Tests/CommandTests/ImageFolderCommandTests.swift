import Foundation
import XCTest

/// `--dataset folder` end to end on a generated ImageFolder: search, train the result, evaluate
/// it; an unreadable image stops the run naming the file, or is skipped on request.
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

        let skipped = try EntranNASBinary.run(search(images, output: folder.appendingPathComponent("skip"),
                                                     extra: ["--unreadable", "skip"]), in: folder, name: "skip")
        XCTAssertTrue(skipped.output.contains("skipped 1 unreadable image file(s) (--unreadable skip): \(broken.path)"),
                      skipped.output)
    }
}
