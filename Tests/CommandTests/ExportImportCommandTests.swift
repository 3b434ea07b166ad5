import Foundation
import XCTest

/// `export` and `import` as a user runs them: a trained network goes out to PyTorch (checked
/// there when python3 has torch) and its exported weights come back in with the same accuracy.
final class ExportImportCommandTests: XCTestCase {
    func testTrainedNetworkGoesOutAndComesBackWithTheSameAccuracy() throws {
        let folder = try temporaryFolder(self)
        let trained = folder.appendingPathComponent("train"), exported = folder.appendingPathComponent("pytorch")
        let imported = folder.appendingPathComponent("imported")
        let dst = "Genotype(normal=[[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 1)], [('max_pool_3x3', 2)]], "
            + "normal_concat=[2, 3], reduce=[[('skip_connect', 0), ('avg_pool_3x3', 1)], [('sep_conv_5x5', 2)]], reduce_concat=[2, 3])"
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 1000, test: 300)
        try EntranNASBinary.run(["train", "--genotype", dst, "--preset", "quick", "--epochs", "1", "--limit", "200",
                                 "--eval-limit", "100", "--layers", "3", "--init-channels", "4", "--batch-size", "32",
                                 "--data", data.path, "--output", trained.path], in: folder, name: "train")

        let export = try EntranNASBinary.run(["export", "--checkpoint", trained.path, "--output", exported.path,
                                              "--check-images", "300"], in: folder, name: "export")
        XCTAssertTrue(export.output.contains("exported \(trained.path)/model.safetensors"), export.output)
        for file in ["state_dict.safetensors", "model.py", "network.json", "genotype.json", "genotype.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: exported.appendingPathComponent(file).path), file)
        }
        if export.output.contains("check skipped") {
            XCTAssertTrue(export.output.contains("cannot import torch"), export.output)
        } else {
            let check = try JSONSerialization.jsonObject(
                with: Data(contentsOf: exported.appendingPathComponent("check.json"))) as! [String: Any]
            XCTAssertEqual(check["images"] as? Int, 300)
            XCTAssertLessThan(try XCTUnwrap(check["max_abs_diff"] as? Double), 1e-4, export.output)
            XCTAssertEqual(check["top1_pytorch"] as? Double, check["top1_entrannas"] as? Double, export.output)
            XCTAssertFalse(FileManager.default.fileExists(atPath: exported.appendingPathComponent("check-images.safetensors").path),
                           "the images are not left behind")
        }

        // Into a run's own folder it is refused: its genotype files would be replaced.
        let intoRun = try EntranNASBinary.run(["export", "--checkpoint", trained.path, "--output", trained.path, "--check", "no"],
                                              in: folder, name: "into-run", expecting: 1)
        XCTAssertTrue(intoRun.errors.contains("\(trained.path) holds a search or training run"), intoRun.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: trained.appendingPathComponent("network.json").path))
        // --check yes without the Python it needs fails before anything is written.
        let unchecked = folder.appendingPathComponent("unchecked")
        let noPython = try EntranNASBinary.run(["export", "--checkpoint", trained.path, "--output", unchecked.path, "--check", "yes",
                                                "--python", "/nonexistent/python3"], in: folder, name: "no-python", expecting: 1)
        XCTAssertTrue(noPython.errors.contains("--check yes needs /nonexistent/python3 with torch"), noPython.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: unchecked.path), "the export was written before the check failed")

        let importing = try EntranNASBinary.run(
            ["import", "--weights", exported.appendingPathComponent("state_dict.safetensors").path,
             "--genotype", exported.appendingPathComponent("genotype.json").path, "--output", imported.path],
            in: folder, name: "import")
        XCTAssertTrue(importing.output.contains("NetworkCIFAR, 3 cells, 4 channels, 10 classes, auxiliary head yes"),
                      importing.output)
        // An imported network has no training dataset to default to: both are tested on the same images.
        let original = try EntranNASBinary.run(["eval", "--checkpoint", trained.path, "--data", data.path], in: folder, name: "eval-original")
        let roundTrip = try EntranNASBinary.run(["eval", "--checkpoint", imported.path, "--data", data.path], in: folder, name: "eval-imported")
        func accuracy(_ text: String) -> Substring? {
            text.split(separator: "\n").first { $0.hasPrefix("test accuracy:") }
        }
        XCTAssertNotNil(accuracy(original.output), original.output)
        XCTAssertEqual(accuracy(roundTrip.output), accuracy(original.output))

        // The weights of another genotype do not fit: one line names the first tensor that differs.
        let wrong = try EntranNASBinary.run(
            ["import", "--weights", exported.appendingPathComponent("state_dict.safetensors").path, "--genotype", "DARTS_V2",
             "--output", folder.appendingPathComponent("wrong").path], in: folder, name: "wrong", expecting: 1)
        XCTAssertTrue(wrong.errors.contains("tensor 'cells.0._ops."), wrong.errors)
        XCTAssertEqual(wrong.errors.split(separator: "\n").filter { !$0.isEmpty }.count, 1, wrong.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("wrong/model.safetensors").path))
    }

    /// The size of an imported network is read from its tensors' shapes: a stem of no elements
    /// claiming 100,000 channels (a few hundred bytes of file) is refused before the network, of
    /// tens of gigabytes, is built.
    func testAStateDictClaimingANetworkItsWeightsCannotFillIsRefused() throws {
        let folder = try temporaryFolder(self)
        let header: [String: Any] = [
            "stem.0.weight": ["dtype": "F32", "shape": [300_000, 1, 3, 0], "data_offsets": [0, 0]],
            "cells.0.preprocess1.op.1.weight": ["dtype": "F32", "shape": [1], "data_offsets": [0, 4]],
            "classifier.weight": ["dtype": "F32", "shape": [10, 1], "data_offsets": [4, 44]],
        ]
        let json = try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)
        var file = Data(withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) })
        file += json + Data(count: 44)
        let weights = folder.appendingPathComponent("crafted.safetensors")
        try file.write(to: weights)
        let output = folder.appendingPathComponent("imported")
        let run = try EntranNASBinary.run(["import", "--weights", weights.path, "--genotype", "DARTS_V2", "--output", output.path],
                                          in: folder, name: "crafted", expecting: 1)
        XCTAssertTrue(run.errors.contains("claims a network of 1 cells of 100000 channels"), run.errors)
        XCTAssertEqual(run.errors.split(separator: "\n").filter { !$0.isEmpty }.count, 1, run.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("model.safetensors").path))
    }
}
