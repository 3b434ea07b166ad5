import Foundation
import XCTest

/// Values no run can use, as a user might type them (or a script compute them): each is refused
/// with an error naming the flag and its range, a usage error's exit code, before anything is
/// written; none traps on an overflow or allocates what the value asks for.
final class BadFlagsTests: XCTestCase {
    func testImpossibleSizesAndSettingsAreNamedNotCrashedOn() throws {
        let folder = try temporaryFolder(self)
        let huge = "9223372036854775807"
        let out = folder.appendingPathComponent("out")
        // A folder without a dataset: the sizes are checked before the dataset is read.
        let search = ["search", "--preset", "quick", "--limit", "40", "--epochs", "1", "--batch-size", "8",
                      "--data", folder.appendingPathComponent("no-dataset").path, "--output", out.path]
        let train = ["train", "--genotype", "DARTS_V2", "--preset", "quick", "--summary"]
        let cases: [([String], String)] = [
            (search + ["--layers", huge], "--layers must lie in 2...1000, got \(huge)"),
            (search + ["--method", "darts", "--layers", "1000000000000"], "--layers must lie in 2...1000"),
            (search + ["--init-channels", "4611686018427387904"], "--init-channels must lie in 2...65536"),
            (search + ["--steps", "4294967296"], "--steps must lie in 1...32"),
            (search + ["--epochs", huge], "--epochs must lie in 1...100000"),
            (search + ["--momentum", "nan"], "--momentum must lie in [0, 1), got nan"),
            (search + ["--grad-clip=-5"], "--grad-clip must be positive, got -5.0"),
            (search + ["--arch-weight-decay", "nan"], "--arch-weight-decay must be 0 or more (at most 3.4e38, float32's largest), got nan"),
            (search + ["--learning-rate", "inf"], "--learning-rate must be a positive number (at most 3.4e38, float32's largest), got inf"),
            // Finite, but more than libtorch's float32 optimizers hold (it failed inside libtorch).
            (search + ["--learning-rate=1e300"], "--learning-rate must be a positive number (at most 3.4e38"),
            (search + ["--arch-learning-rate=1e300"], "--arch-learning-rate must be a positive number (at most 3.4e38"),
            // A negative count trapped in the Engine-cells' placement before it was checked.
            (search + ["--layers=-1"], "--layers must be at least 2 (one normal and one reduction cell), got -1"),
            (search + ["--method", "entrannas-dst", "--layers=-1"], "--layers must be at least 2 (one normal and one reduction cell), got -1"),
            (search + ["--temperature", "inf"], "--temperature must be a positive number, got inf"),
            (["run", "--preset", "quick", "--data", folder.appendingPathComponent("no-dataset").path, "--output", out.path,
              "--steps", "0"], "--steps must be at least 1, got 0"),
            (train + ["--init-channels", "4611686018427387904"], "--init-channels must lie in 1...65536"),
            (train + ["--layers", huge], "--layers must lie in 1...1000"),
            (train + ["--batch-size", huge], "--batch-size must lie in 2...1048576"),
            (train + ["--weight-decay", "inf"], "--weight-decay must be 0 or more (at most 3.4e38"),
            (train + ["--cutout", "1000"], "--cutout 1000 is at least twice the 28x28 images' side"),
            (train + ["--learning-rate=1e300"], "--learning-rate must be a positive number (at most 3.4e38"),
            (train + ["--threads", "4294967296"], "--threads must lie in 1...1024"),
            (train + ["--batch-chunks", huge], "--batch-chunks must lie in 1...1024"),
            (["summary", "--genotype", "DARTS_V2", "--layers", huge], "--layers must lie in 1...1000"),
            (["summary", "--genotype", "DARTS_V2", "--input-size", "3037000500"], "--input-size must lie in 1...16384"),
            (["launch", "--nnodes", "2", "--master-port", "29999", "--nproc-per-node", "4611686018427387904", "--", "info"],
             "--nproc-per-node must lie in 1...1024"),
            (["launch", "--grace-seconds", "nan", "--", "info"], "--grace-seconds must be a number of seconds"),
            // An empty --output was the current folder.
            (search + ["--output", ""], "--output must name a folder, got an empty path"),
            (train + ["--output", " "], "--output must name a folder, got an empty path"),
            (["draw", "--genotype", "DARTS_V2", "--output", ""], "--output must name a folder, got an empty path"),
            (["experiment", "--output", ""], "--output must name a folder, got an empty path"),
        ]
        for (arguments, complaint) in cases {
            let run = try EntranNASBinary.Running(arguments, in: folder, name: "bad")
            let status = run.wait(seconds: 120)
            let call = "entrannas \(arguments.joined(separator: " "))"
            XCTAssertTrue(status == 1 || status == 64, "\(call): exit \(String(describing: status))\n\(run.errors)")
            XCTAssertTrue(run.errors.contains(complaint), "\(call):\n\(run.errors)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("metrics.jsonl").path), call)
        }
    }

    /// ImageNet stems on 28-pixel images run, but reach the first cell at 4x4: a warning says
    /// so and names the way out; with the CIFAR stem there is none. (A search refuses them: its
    /// stems and reductions need more pixels than 28.)
    func testImageNetStemsOnSmallImagesAreWarnedAbout() throws {
        let folder = try temporaryFolder(self)
        let warning = "warning: the ImageNet stems divide the image side by 8 before the first cell"
        let imagenet = try EntranNASBinary.run(["train", "--genotype", "DARTS_V2", "--preset", "imagenet", "--summary"],
                                               in: folder, name: "imagenet")
        XCTAssertTrue(imagenet.errors.contains(warning + " (they are made for 224-pixel images): these 28-pixel images reach "
                                               + "it at 4x4; for small images use --stem cifar"), imagenet.errors)
        let cifar = try EntranNASBinary.run(["train", "--genotype", "DARTS_V2", "--preset", "imagenet", "--stem", "cifar", "--summary"],
                                            in: folder, name: "cifar")
        XCTAssertFalse(cifar.errors.contains(warning), cifar.errors)
    }

    /// A negative value written after a space is read as a flag by the parser, whose own error
    /// ("Missing value") does not say so: ours does, and names the spelling that works.
    func testANegativeValueAfterASpaceNamesTheSpellingThatWorks() throws {
        let folder = try temporaryFolder(self)
        for (flag, value) in [("--layers", "-1"), ("--learning-rate", "-0.5")] {
            let run = try EntranNASBinary.run(["train", "--genotype", "DARTS_V2", "--summary", flag, value], in: folder, name: "negative",
                                              expecting: 64)
            XCTAssertTrue(run.errors.contains("\(flag) \(value): a negative value is read as a flag; write \(flag)=\(value)"), run.errors)
        }
        // Written with '=', it reaches the range check.
        let written = try EntranNASBinary.run(["train", "--genotype", "DARTS_V2", "--summary", "--layers=-1"], in: folder, name: "equals",
                                              expecting: 1)
        XCTAssertTrue(written.errors.contains("--layers must be at least 1, got -1"), written.errors)
    }

    /// A thread count in the environment that is no count is named, not ignored.
    func testAnImpossibleThreadCountInTheEnvironmentIsNamed() throws {
        let folder = try temporaryFolder(self)
        // `info` applies the runtime options as every compute command does, and prints the count.
        for value in ["abc", "1.5", "2000"] {
            let run = try EntranNASBinary.run(["info"], in: folder, name: "threads", environment: ["ENTRANNAS_THREADS": value], expecting: 1)
            XCTAssertTrue(run.errors.contains("ENTRANNAS_THREADS must be a count of threads up to 1024 (0 or empty: every core), "
                                              + "got '\(value)'"), run.errors)
        }
        // 0 and empty keep their meaning for the loader: every core.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for value in ["0", ""] {
            let run = try EntranNASBinary.run(["info"], in: folder, name: "default", environment: ["ENTRANNAS_THREADS": value])
            XCTAssertTrue(run.output.contains("threads    \(cores) (cores: \(cores);"), run.output)
        }
        // --threads wins over it, as its help says.
        let flag = try EntranNASBinary.run(["info", "--threads", "1"], in: folder, name: "flag", environment: ["ENTRANNAS_THREADS": "abc"])
        XCTAssertTrue(flag.output.contains("threads    1 (cores: \(cores);"), flag.output)
    }

    /// An --output that is a file, not a folder, is named as such (it was a raw Foundation error),
    /// and so is a file in a parent's place (Foundation says "error 512").
    func testAFileAsTheOutputFolderIsNamed() throws {
        let folder = try temporaryFolder(self)
        let file = folder.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let draw = try EntranNASBinary.run(["draw", "--genotype", "DARTS_V2", "--output", file.path], in: folder, name: "draw",
                                           expecting: 1)
        XCTAssertTrue(draw.errors.contains("--output \(file.path) is a file, not a folder; choose another --output"), draw.errors)
        let below = file.appendingPathComponent("cells/normal").path
        let nested = try EntranNASBinary.run(["draw", "--genotype", "DARTS_V2", "--output", below], in: folder, name: "nested",
                                             expecting: 1)
        XCTAssertEqual(nested.errors, "Error: cannot create the output folder \(below): \(file.path) is a file, not a folder; "
                       + "choose another --output\n")
    }

    /// A folder the system refuses (here under /proc, refused even to root) is named with the
    /// system's reason, not Foundation's "The operation could not be completed".
    func testAnOutputFolderTheSystemRefusesGivesTheSystemsReason() throws {
        let folder = try temporaryFolder(self)
        let below = "/proc/entrannas-no-such-folder/cells"
        let draw = try EntranNASBinary.run(["draw", "--genotype", "DARTS_V2", "--output", below], in: folder, name: "proc",
                                           expecting: 1)
        XCTAssertEqual(draw.errors, "Error: cannot create the output folder \(below): No such file or directory; "
                       + "choose another --output\n")
    }

    /// A training protocol that cannot train is refused before the first search spends its time,
    /// and before experiment.json would keep it.
    func testAnExperimentRefusesATrainingProtocolThatCannotTrain() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("experiment")
        let common = ["experiment", "--methods", "entrannas", "--seeds", "1", "--random-cells", "0", "--preset", "quick",
                      "--output", output.path]
        for (flags, complaint) in [(["--train-layers", "0"], "--layers must be at least 1, got 0"),
                                   (["--train-channels", "5"], "--init-channels must be an even number"),
                                   (["--train-limit=-3"], "--limit must be 0 (all images) or a positive count, got -3")] {
            let refused = try EntranNASBinary.run(common + ["--epochs", "1"] + flags, in: folder, name: "refused", expecting: 64)
            XCTAssertTrue(refused.errors.contains("the training protocol (--train-epochs, --train-limit, --train-layers, "
                                                  + "--train-channels): \(complaint)"), refused.errors)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "a refused experiment left a folder")
        }
        let searches = try EntranNASBinary.run(common + ["--epochs", "0"], in: folder, name: "epochs", expecting: 64)
        XCTAssertTrue(searches.errors.contains("the searches (--preset, --epochs, --dataset) with --method entrannas: "
                                               + "--epochs must lie in 1...100000, got 0"), searches.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "a refused experiment left a folder")
    }

    /// `run`'s training part is checked before its search runs, naming the run's own flags (it
    /// failed after the whole search, naming `train`'s --epochs); and a search's or a training's
    /// folder is not taken for a run's.
    func testARunChecksItsTrainingPartFirstAndRefusesAnotherRunsFolder() throws {
        let folder = try temporaryFolder(self)
        let data = try smallFashionMNIST(in: folder.appendingPathComponent("data"), train: 200, test: 20)
        let output = folder.appendingPathComponent("run")
        let run = ["run", "--preset", "quick", "--epochs", "1", "--limit", "40", "--data", data.path, "--output", output.path]
        for (flags, complaint) in [(["--train-epochs", "0"], "--train-epochs must lie in 1...100000, got 0"),
                                   (["--train-channels", "5"], "--train-channels must be an even number"),
                                   (["--train-limit", "3"], "--train-limit 3 is below the 10 classes")] {
            let refused = try EntranNASBinary.run(run + flags, in: folder, name: "refused", expecting: 1)
            XCTAssertTrue(refused.errors.contains("the training part: \(complaint)"), refused.errors)
            XCTAssertEqual(refused.errors.split(separator: "\n").count, 1, refused.errors)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("search").path),
                           "the search ran before the training part was checked")
        }
        // A training's folder (its epochs recorded) as the run's --output.
        let trained = folder.appendingPathComponent("trained")
        try FileManager.default.createDirectory(at: trained, withIntermediateDirectories: true)
        try Data("{\"epoch\": 1}\n".utf8).write(to: trained.appendingPathComponent("metrics.jsonl"))
        let other = try EntranNASBinary.run(Array(run.dropLast()) + [trained.path], in: folder, name: "other", expecting: 1)
        XCTAssertTrue(other.errors.contains("\(trained.path) holds a search's or a training's files, not a run's"), other.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: trained.appendingPathComponent("search").path))
    }
}
