import Foundation
import XCTest

/// experiments/fashion-mnist-cpu-dst-pull-mean/compare.sh on made-up experiments small enough to
/// count its exact permutation tests by hand (two cells against two: six splits): the mean pull's
/// cells against random cells of their in-degrees (one-sided) and those against DARTS-rule random
/// cells (two-sided), and a folder without such random cells, which must still exit 0.
final class CompareScriptTests: XCTestCase {
    private var root: URL!
    private var here: URL { root.appendingPathComponent("experiments/fashion-mnist-cpu-dst-pull-mean") }
    /// Every python3 on the machine that has scipy, the one on PATH first, then Debian's
    /// (python3-scipy 1.10 on Debian 12): each as it names itself (sys.executable), so a venv or
    /// a pyenv stays what it is, and one per installation (sys.prefix).
    private var pythons: [String] = []

    override func setUpWithError() throws {
        var prefixes: Set<String> = []
        for candidate in ["python3", "/usr/bin/python3"] {
            guard let found = scipyPython(candidate), prefixes.insert(found.prefix).inserted else { continue }
            pythons.append(found.executable)
        }
        try XCTSkipIf(pythons.isEmpty, "compare.sh needs python3-scipy (checking side)")
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

    /// `python` run as `-c "import sys, scipy; ..."`: its sys.executable and sys.prefix, nil
    /// where there is no such program or it has no scipy.
    private func scipyPython(_ python: String) -> (executable: String, prefix: String)? {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [python, "-c", "import sys, scipy; print(sys.executable); print(sys.prefix)"]
        let output = Pipe()
        check.standardOutput = output
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return nil }
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        check.waitUntilExit()
        guard check.terminationStatus == 0, lines.count == 2, !lines[0].isEmpty else { return nil }
        return (lines[0], lines[1])
    }

    /// compare.sh run with `python` as the python3 it finds on PATH (a wrapper that execs it).
    private func runCompare(_ arguments: [String], python: String) throws -> (status: Int32, output: String, errors: String) {
        let bin = root.appendingPathComponent("python-\(pythons.firstIndex(of: python) ?? 0)")
        let wrapper = bin.appendingPathComponent("python3")
        if !FileManager.default.fileExists(atPath: wrapper.path) {
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            let quoted = "'" + python.replacingOccurrences(of: "'", with: "'\\''") + "'"
            try "#!/bin/sh\nexec \(quoted) \"$@\"\n".write(to: wrapper, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        }
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try runBash(here.appendingPathComponent("compare.sh"), arguments, environment: ["PATH": path])
    }

    /// compare.sh's rows, measure and against columns, difference and p (the interval left out).
    private func compare(_ arguments: [String]) throws -> [String] {
        let run = try runCompare(arguments, python: pythons[0])
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
    /// 4.3027 × √0.5 = 3.0425 around -3. With every python3 of `pythons` (Debian 12's scipy
    /// 1.10 has no confidence_interval() on ttest_ind's result, which the script once called).
    func testTheWelchIntervalWithEveryScipyOnTheMachine() throws {
        for python in pythons {
            let run = try runCompare([], python: python)
            XCTAssertEqual(run.status, 0, "\(python): \(run.errors)")
            let gap = run.output.split(separator: "\n").first { $0.hasPrefix("| gap (points) | 1.50") }
            XCTAssertEqual(gap?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[4], "[-6.04, +0.04]",
                           "\(python): \(run.output)")
        }
    }

    func testAFolderWithoutRandomCellsGetsNoSuchRowsAndExitsZero() throws {
        let rows = try compare(["lambda"])
        XCTAssertEqual(rows.count, 5, "\(rows)")
        XCTAssertFalse(rows.contains { $0.contains("in-degrees") }, "\(rows)")
    }
}
