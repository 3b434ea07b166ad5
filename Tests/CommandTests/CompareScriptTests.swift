import Foundation
import XCTest

/// experiments/fashion-mnist-cpu-dst-pull-mean/compare.sh on made-up experiments small enough to
/// count its exact permutation tests by hand (two cells against two: six splits): the mean pull's
/// cells against random cells of their in-degrees (one-sided) and those against DARTS-rule random
/// cells (two-sided), and a folder without such random cells, which must still exit 0.
final class CompareScriptTests: XCTestCase {
    private var root: URL!
    private var here: URL { root.appendingPathComponent("experiments/fashion-mnist-cpu-dst-pull-mean") }

    override func setUpWithError() throws {
        let scipy = Process()
        scipy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        scipy.arguments = ["python3", "-c", "import scipy"]
        scipy.standardError = FileHandle.nullDevice
        try? scipy.run()
        scipy.waitUntilExit()
        try XCTSkipUnless(scipy.terminationStatus == 0, "compare.sh needs python3-scipy (checking side)")
        root = try temporaryFolder(self)
        try copyFromRepository(["experiments/fashion-mnist-cpu-dst-pull-mean/compare.sh", "experiments/dst-search.sh"], to: root)
        // v2's default DST: a dense node (14 of 14), then its cells and two DARTS-rule random cells.
        let v2 = "experiments/fashion-mnist-v2/kept/units"
        try search("\(v2)/search-entrannas-dst-seed1", dense: true, superNet: 0.9, derived: 0.85, pruned: 0.6)
        try search("\(v2)/search-entrannas-dst-seed2", dense: true, superNet: 0.9, derived: 0.86, pruned: 0.7)
        for (unit, accuracy) in [("train-entrannas-dst-seed1-t1", 90.6), ("train-entrannas-dst-seed2-t1", 90.8),
                                 ("random-darts-1-t1", 90.5), ("random-darts-2-t1", 90.7)] {
            try write(#"{"testAccuracy": \#(accuracy)}"#, "\(v2)/\(unit)/result.json")
        }
        // The mean pull (this folder, as kept): one input per node, trained, and two random cells of
        // its in-degrees; the same without random cells in lambda/.
        for folder in ["experiments/fashion-mnist-cpu-dst-pull-mean", "experiments/fashion-mnist-cpu-dst-pull-mean/lambda"] {
            try search("\(folder)/units/search-entrannas-dst-seed1", dense: false, superNet: 0.9, derived: 0.89, pruned: 0.95)
            try search("\(folder)/units/search-entrannas-dst-seed2", dense: false, superNet: 0.9, derived: 0.88, pruned: 0.94)
            try write(#"{"testAccuracy": 90.0}"#, "\(folder)/units/train-entrannas-dst-seed1-t1/result.json")
            try write(#"{"testAccuracy": 90.2}"#, "\(folder)/units/train-entrannas-dst-seed2-t1/result.json")
        }
        try write(#"{"testAccuracy": 90.1}"#, "experiments/fashion-mnist-cpu-dst-pull-mean/units/random-dst-1-t1/result.json")
        try write(#"{"testAccuracy": 90.3}"#, "experiments/fashion-mnist-cpu-dst-pull-mean/units/random-dst-2-t1/result.json")
    }

    private func write(_ text: String, _ path: String) throws { try writeFile(text, path, under: root) }

    /// A DST search unit: its result and a genotype whose first normal node keeps all 14 of its
    /// candidates (dense) or one.
    private func search(_ unit: String, dense: Bool, superNet: Double, derived: Double, pruned: Double) throws {
        try write(genotypeJSON(normal: [dense ? 14 : 1, 1, 1, 1], reduce: [1, 1, 1, 1]), "\(unit)/genotype.json")
        try write(#"{"superNetAccuracy": \#(superNet), "derivedAccuracy": \#(derived), "prunedFraction": \#(pruned)}"#,
                  "\(unit)/result.json")
    }

    /// compare.sh's rows, measure and against columns, difference and p (the interval left out).
    private func compare(_ arguments: [String]) throws -> [String] {
        let run = try runBash(here.appendingPathComponent("compare.sh"), arguments)
        XCTAssertEqual(run.status, 0, run.errors)
        return run.output.split(separator: "\n").dropFirst(2).map { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return [cells[0], String(cells[2].prefix { $0 != ":" }), cells[3], cells[5]].joined(separator: " | ")
        }
    }

    func testTheSearchedCellsAgainstRandomCellsOfTheirInDegreesAndThoseAgainstTheDARTSRule() throws {
        XCTAssertEqual(try compare([]), [
            "largest share kept % | default DST | -92.86 | 0.167",
            "pruned % | default DST | +29.50 | 0.167",
            "gap (points) | default DST | -3.00 | 0.167",
            "retrained % (training seed 1) | default DST | -0.60 | 0.333 (two-sided)",
            "retrained % (training seed 1) | random cells, DARTS rule | -0.50 | 0.333 (two-sided)",
            // 5 of the 6 splits put the searched cells at least 0.1 below: one-sided, searched better.
            "retrained % (training seed 1) | random cells, its in-degrees | -0.10 | 0.833",
            "retrained %: random cells of the mean pull's in-degrees | random cells, DARTS rule | -0.40 | 0.333 (two-sided)",
        ])
    }

    /// Welch's interval of the gap row, by hand: gaps 1 and 2 against 5 and 4 points, each
    /// variance of the mean 0.25, df = 0.5² / (2 × 0.25²) = 2, t(0.975, 2) = 4.3027, half-width
    /// 4.3027 × √0.5 = 3.0425 around -3. With every python3 on the machine that has scipy: the
    /// one on PATH and Debian's (/usr/bin/python3, python3-scipy 1.10 on Debian 12, whose
    /// ttest_ind result has no confidence_interval()).
    func testTheWelchIntervalWithEveryScipyOnTheMachine() throws {
        var pythons: [String] = []
        for candidate in [try which("python3"), "/usr/bin/python3"] {
            guard let path = candidate.map({ URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }),
                  !pythons.contains(path), hasScipy(path) else { continue }
            pythons.append(path)
        }
        XCTAssertFalse(pythons.isEmpty, "setUp found scipy")
        for python in pythons {
            let bin = root.appendingPathComponent("python-\(pythons.firstIndex(of: python)!)")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("python3").path,
                                                       withDestinationPath: python)
            let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let run = try runBash(here.appendingPathComponent("compare.sh"), environment: ["PATH": path])
            XCTAssertEqual(run.status, 0, "\(python): \(run.errors)")
            let gap = run.output.split(separator: "\n").first { $0.hasPrefix("| gap (points) | 1.50") }
            XCTAssertEqual(gap?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[4], "[-6.04, +0.04]",
                           "\(python): \(run.output)")
        }
    }

    /// The program `name` is on PATH (nil when there is none).
    private func which(_ name: String) throws -> String? {
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/bin/sh")
        run.arguments = ["-c", "command -v \(name)"]
        let output = Pipe()
        run.standardOutput = output
        try run.run()
        let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        run.waitUntilExit()
        return run.terminationStatus == 0 && !path.isEmpty ? path : nil
    }

    private func hasScipy(_ python: String) -> Bool {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import scipy"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    func testAFolderWithoutRandomCellsGetsNoSuchRowsAndExitsZero() throws {
        let rows = try compare(["lambda"])
        XCTAssertEqual(rows.count, 5, "\(rows)")
        XCTAssertFalse(rows.contains { $0.contains("in-degrees") }, "\(rows)")
    }
}
