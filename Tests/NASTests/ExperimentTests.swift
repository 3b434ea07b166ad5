import Foundation
import XCTest
@testable import NAS

/// The experiment's bookkeeping: unit order, results kept as units finish, resume that never
/// redoes a finished unit, and the summary's statistics and goals.
final class ExperimentTests: XCTestCase {
    private func folder() -> RunDirectory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-experiment-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return RunDirectory(url: url)
    }

    let plan = ExperimentPlan(methods: [.darts, .entrannasDST, .entrannas], seeds: [1, 2], randomCells: 2)

    func testUnitsRunCheapMethodsFirstAndRandomCellsAsEarlyAsTheyCan() {
        XCTAssertEqual(plan.units.map(\.name), [
            "search-entrannas-seed1", "train-entrannas-seed1", "search-entrannas-seed2", "train-entrannas-seed2",
            "random-darts-1", "random-darts-2",
            "search-entrannas-dst-seed1", "train-entrannas-dst-seed1", "search-entrannas-dst-seed2", "train-entrannas-dst-seed2",
            "random-dst-1", "random-dst-2",
            "search-darts-seed1", "train-darts-seed1", "search-darts-seed2", "train-darts-seed2",
        ])
        XCTAssertEqual(ExperimentPlan(methods: [.entrannas], seeds: [1], randomCells: 0).units.count, 2)
    }

    /// One training's sd pools the cells' variances weighted by their degrees of freedom: a cell
    /// with three trainings counts twice as much as one with two. Cells [0, 1] and [0, 3, 6]
    /// give √((0.5 + 18) / 3) = 2.4833; the mean of their variances would give 2.1794, the mean
    /// of their sds 1.8536.
    func testOneTrainingsSdPoolsTheCellsVariancesByDegreesOfFreedom() {
        let plan = ExperimentPlan(methods: [.entrannas], seeds: [1, 2], randomCells: 0, trainSeeds: [1, 2, 3])
        let accuracies: [UInt64: [Double]] = [1: [0, 1], 2: [0, 3, 6]]
        let results = plan.units.compactMap { unit -> UnitResult? in
            var r = UnitResult(unit: unit, seconds: 60, peakMemoryBytes: nil, genotype: "g")
            if unit.kind == .train {
                guard let cell = accuracies[unit.seed], let t = unit.trainSeed, Int(t) <= cell.count else { return nil }
                r.testAccuracy = 80 + cell[Int(t) - 1]
            }
            return r
        }
        XCTAssertEqual(results.filter { $0.unit.kind == .train }.count, 5, "seed 1's third training has not run")
        let row = ExperimentSummary(plan: plan, settings: [:], results: results).rows.first
        XCTAssertEqual(row?.trainingNoise ?? 0, (18.5 / 3).squareRoot(), accuracy: 1e-9)
    }

    /// A fake unit: search units report a gap and pruning, training units an accuracy.
    private func fakeResult(_ unit: ExperimentUnit) -> UnitResult {
        var r = UnitResult(unit: unit, seconds: 60, peakMemoryBytes: 1_000_000_000, genotype: "g")
        switch unit.kind {
        case .search:
            r.superNetAccuracy = 0.8
            r.derivedAccuracy = unit.method == .darts ? 0.5 : 0.79
            r.prunedFraction = unit.method == .entrannasDST ? 0.6 : nil
            r.genotypeAgreement = unit.method == .entrannasDST ? 0.5 + 0.1 * Double(unit.seed)
                : unit.method == .entrannas && unit.seed == 1 ? 0.9 : nil
        case .train: r.testAccuracy = 90 + Double(unit.seed)
        case .randomDarts, .randomDST: r.testAccuracy = 85
        }
        return r
    }

    /// CPU minutes compare only within one machine: a unit's attempts.json keeps every machine
    /// its processes reported from, once each, and results.md labels them per unit.
    func testUnitsRecordTheirMachines() throws {
        let dir = folder()
        try FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
        XCTAssertNil(try UnitCost.read(from: dir).machines, "nothing reported yet")
        _ = try UnitCost.add(seconds: 10, peak: 1, cpuSeconds: 5, machine: "slow", in: dir)
        _ = try UnitCost.add(seconds: 10, peak: 1, cpuSeconds: 5, machine: "fast", in: dir)
        let cost = try UnitCost.add(seconds: 10, peak: 1, cpuSeconds: 5, machine: "slow", in: dir)
        XCTAssertEqual(cost.machines, ["slow", "fast"])
        XCTAssertEqual(try UnitCost.read(from: dir).machines, ["slow", "fast"], "kept in attempts.json")
        XCTAssertEqual(cost.cpuSeconds, 15)
        // Attempts reported before machines were kept ran somewhere unknown: said so, not dropped.
        let old = folder()
        try FileManager.default.createDirectory(at: old.url, withIntermediateDirectories: true)
        try #"{"seconds": 100, "peak": 1, "cpuSeconds": 90}"#.write(to: UnitCost.url(in: old), atomically: true, encoding: .utf8)
        XCTAssertEqual(try UnitCost.add(seconds: 10, peak: 1, cpuSeconds: 5, machine: "fast", in: old).machines,
                       [MachineDescription.notRecorded, "fast"])

        var results = plan.units.prefix(3).map(fakeResult)
        results[0].machines = ["slow"]
        results[1].machines = ["slow", "fast"]
        let markdown = ExperimentSummary(plan: plan, settings: [:], results: results).markdown
        XCTAssertTrue(markdown.contains("The units ran on M1 (slow), M2 (fast); 1 unit recorded none (older results)."), markdown)
        XCTAssertTrue(markdown.contains("| test acc % | machine |"), markdown)
        XCTAssertTrue(markdown.contains("| search-entrannas-seed1 | - | 1.0 | 1.00 | 80.00 | 79.00 | 1.00 | - | - | - | M1 |"), markdown)
        XCTAssertTrue(markdown.contains("| M1, M2 |\n| search-entrannas-seed2 |"), markdown)
        XCTAssertTrue(markdown.contains("| search-entrannas-seed2 | - | 1.0 | 1.00 | 80.00 | 79.00 | 1.00 | - | - | - | - |"), markdown)
        // Results from before the record: no column and no line.
        let unrecorded = ExperimentSummary(plan: plan, settings: [:], results: plan.units.prefix(3).map(fakeResult)).markdown
        XCTAssertFalse(unrecorded.contains("machine"), unrecorded)
    }

    func testResumeNeverRedoesAFinishedUnit() throws {
        let dir = folder()
        var ran: [String] = []
        // First attempt: stopped during the fifth unit.
        let first = try Experiment(directory: dir, plan: plan, settings: ["preset": "cpu"], resume: false)
        XCTAssertEqual(try first.run { unit, _, _ in
            if ran.count == 4 { return nil }
            ran.append(unit.name)
            return self.fakeResult(unit)
        }, .stopped)
        XCTAssertEqual(first.finishedResults().count, 4)
        // A result.json that names another unit, or a training without a method, is no result
        // (it once crashed `entrannas report`): its unit counts as unfinished.
        let units = plan.units
        let fourth = first.folder(of: units[3]).file("result.json")
        let kept = try Data(contentsOf: fourth)
        try Data(contentsOf: first.folder(of: units[0]).file("result.json")).write(to: fourth)
        XCTAssertEqual(first.finishedResults().map(\.unit), Array(units.prefix(3)))
        try Data(#"{"unit": {"kind": "train", "seed": 1}, "seconds": 1, "genotype": "g"}"#.utf8).write(to: fourth)
        XCTAssertEqual(first.finishedResults().count, 3)
        try kept.write(to: fourth)
        let partial = try String(contentsOf: dir.file("results.md"), encoding: .utf8)
        XCTAssertTrue(partial.contains("4 of 16 units finished; continue with `entrannas experiment --output DIR --resume`"))

        // A new experiment in the same folder is refused; a resume with another plan too.
        XCTAssertThrowsError(try Experiment(directory: dir, plan: plan, settings: ["preset": "cpu"], resume: false))
        XCTAssertThrowsError(try Experiment(directory: dir, plan: ExperimentPlan(methods: [.darts], seeds: [1], randomCells: 0),
                                            settings: ["preset": "cpu"], resume: true))
        XCTAssertThrowsError(try Experiment(directory: dir, plan: plan, settings: ["preset": "quick"], resume: true)) {
            XCTAssertTrue("\($0)".hasSuffix("setting 'preset' is quick here but cpu in \(dir.path); resume with the experiment's settings (--preset cpu)"),
                          "\($0)")
        }
        // The refusal names the flag that restores the stored value (a default that changed
        // since, as experiment's training protocol did, is the likely cause).
        XCTAssertEqual(Experiment.flag("train_epochs", "4"), "--train-epochs 4")
        XCTAssertEqual(Experiment.flag("search_options", "--dst-renormalization hard"), "--search-options \"--dst-renormalization hard\"")
        XCTAssertEqual(Experiment.flag("epochs", "preset"), "without --epochs")
        XCTAssertEqual(Experiment.flag("search_options", nil), "without --search-options")

        // A damaged experiment.json (truncated) is named as such by a resume and by a new run,
        // not sent from one to the other; restored, the experiment resumes.
        let manifest = dir.file("experiment.json"), intact = try Data(contentsOf: manifest)
        try intact.prefix(40).write(to: manifest)
        for resume in [true, false] {
            XCTAssertThrowsError(try Experiment(directory: dir, plan: plan, settings: ["preset": "cpu"], resume: resume)) {
                XCTAssertTrue("\($0)".contains("experiment.json is damaged (not an experiment's JSON: not valid JSON)"), "\($0)")
                XCTAssertTrue("\($0)".contains("restore it from a copy, or choose another --output"), "\($0)")
            }
        }
        try intact.write(to: manifest)

        // Resumed: only the twelve units left run, and each sees the results before it.
        var resumed: [String] = []
        let second = try Experiment(directory: dir, plan: plan, settings: ["preset": "cpu"], resume: true)
        XCTAssertEqual(try second.run { unit, _, previous in
            XCTAssertEqual(previous.count, 4 + resumed.count)
            resumed.append(unit.name)
            return self.fakeResult(unit)
        }, .finished)
        XCTAssertEqual(resumed, Array(plan.units.map(\.name).dropFirst(4)))
        XCTAssertEqual(Set(ran).intersection(resumed), [])
        let done = try String(contentsOf: dir.file("results.md"), encoding: .utf8)
        XCTAssertTrue(done.contains("All 16 units finished"))
        // The legend names the interval the table computes (Statistics.meanInterval).
        XCTAssertTrue(done.contains("the interval is Student's t interval of that mean (95%)"), done)
        // EnTranNAS' cells, 91 and 92: 91.5 ± 12.706 · 0.707 / √2, written as the goals write theirs.
        XCTAssertTrue(done.contains("| 91.50 ± 0.71 | [85.15, 97.85] |"), done)
        // DST's two searches agree 0.6 and 0.7 with the epoch before's cells; the others recorded none.
        XCTAssertTrue(done.contains("| 60.0 ± 0.0 | 0.65 ± 0.07 |"), done)
        // EnTranNAS' seed 2 recorded none: the mean says it stands on one of two searches.
        XCTAssertTrue(done.contains("| - | 0.90 (1 of 2) |"), done)
        // Every line of the per-method table has the header's columns.
        let table = done.components(separatedBy: "## Per method")[1].components(separatedBy: "\n\n")[1].split(separator: "\n")
        XCTAssertEqual(Set(table.map { $0.filter { $0 == "|" }.count }).count, 1, table.joined(separator: "\n"))
        XCTAssertTrue(table[0].contains("| pruned % | last-epoch agreement | in-degree |"), String(table[0]))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("results.json"))) as? [String: Any]
        XCTAssertEqual(json?["finished_units"] as? Int, 16)
        XCTAssertEqual((json?["units"] as? [Any])?.count, 16)

        // A resume may add random cells: only the new ones run, and the plan is stored grown;
        // fewer random cells, or another seed list, is still refused.
        var grown = plan
        grown.randomCells = 3
        var added: [String] = []
        XCTAssertEqual(try Experiment(directory: dir, plan: grown, settings: ["preset": "cpu"], resume: true).run { unit, _, previous in
            XCTAssertEqual(previous.count, 16 + added.count)
            added.append(unit.name)
            return self.fakeResult(unit)
        }, .finished)
        XCTAssertEqual(added.sorted(), ["random-darts-3", "random-dst-3"])
        XCTAssertEqual(try Experiment(opening: dir).plan, grown)
        XCTAssertTrue(try String(contentsOf: dir.file("results.md"), encoding: .utf8).contains("All 18 units finished"))
        var fewer = grown, moreSeeds = grown
        fewer.randomCells = 2
        moreSeeds.seeds = [1, 2, 3]
        for other in [fewer, moreSeeds, plan] {
            XCTAssertThrowsError(try Experiment(directory: dir, plan: other, settings: ["preset": "cpu"], resume: true)) {
                XCTAssertTrue("\($0)".hasSuffix("only --random-cells may grow"), "\($0)")
            }
        }
        // A grown plan with another setting is refused before anything is stored.
        grown.randomCells = 4
        XCTAssertThrowsError(try Experiment(directory: dir, plan: grown, settings: ["preset": "quick"], resume: true))
        XCTAssertEqual(try Experiment(opening: dir).plan.randomCells, 3)
    }

    /// Thread-safe notes of what a concurrent runner saw.
    private final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var started: [String] = []
        private(set) var finished: [String] = []
        private(set) var running = 0
        private(set) var mostAtOnce = 0
        /// Units finished when each unit started.
        private(set) var finishedAtStart: [String: Set<String>] = [:]
        func start(_ name: String) {
            lock.lock(); defer { lock.unlock() }
            started.append(name)
            finishedAtStart[name] = Set(finished)
            running += 1
            mostAtOnce = max(mostAtOnce, running)
        }
        func finish(_ name: String) {
            lock.lock(); defer { lock.unlock() }
            finished.append(name)
            running -= 1
        }
    }

    /// Two jobs: never more than two units at once, each only after the units it depends on,
    /// and the same results as one job.
    func testTwoJobsRunUnitsSideBySideAfterTheirDependencies() throws {
        let log = Log()
        let experiment = try Experiment(directory: folder(), plan: plan, settings: ["preset": "cpu"], resume: false)
        var lines: [String] = []
        XCTAssertEqual(try experiment.run({ unit, _, previous in
            log.start(unit.name)
            for d in self.plan.dependencies(of: unit) {
                XCTAssertTrue(previous.contains { $0.unit == d }, "\(unit.name) started before \(d.name) finished")
            }
            usleep(unit.kind == .search ? 30_000 : 10_000)
            log.finish(unit.name)
            return self.fakeResult(unit)
        }, jobs: 2, progress: { lines.append($0) }), .finished)
        XCTAssertEqual(log.mostAtOnce, 2)
        XCTAssertEqual(Set(log.started), Set(plan.units.map(\.name)))
        XCTAssertEqual(log.started.count, plan.units.count)
        for unit in plan.units {
            XCTAssertTrue(Set(plan.dependencies(of: unit).map(\.name)).isSubset(of: log.finishedAtStart[unit.name]!), unit.name)
        }
        XCTAssertEqual(plan.dependencies(of: ExperimentUnit(kind: .randomDST, method: nil, seed: 1)).map(\.name),
                       ["search-entrannas-dst-seed1", "search-entrannas-dst-seed2"])
        XCTAssertTrue(lines.contains { $0.hasSuffix("finished (16 of 16 units done)") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("units, at the finished units' times)") }, "a unit started later says how long is left: \(lines)")

        let sequential = try Experiment(directory: folder(), plan: plan, settings: ["preset": "cpu"], resume: false)
        XCTAssertEqual(try sequential.run({ unit, _, _ in self.fakeResult(unit) }), .finished)
        XCTAssertEqual(try String(contentsOf: experiment.directory.file("results.json"), encoding: .utf8),
                       try String(contentsOf: sequential.directory.file("results.json"), encoding: .utf8))
    }

    /// The time left: each unit at the mean time of the finished units most like it (same kind
    /// and method, else same kind, else any), over the jobs; nothing before a unit has finished.
    func testTheTimeLeftFollowsTheFinishedUnitsMostLikeEachUnit() {
        func unit(_ kind: ExperimentUnit.Kind, _ method: SearchMethod?, _ seed: UInt64) -> ExperimentUnit {
            ExperimentUnit(kind: kind, method: method, seed: seed)
        }
        func result(_ unit: ExperimentUnit, _ seconds: Double) -> UnitResult {
            UnitResult(unit: unit, seconds: seconds, peakMemoryBytes: nil, genotype: "g")
        }
        let units = [unit(.search, .darts, 1), unit(.search, .darts, 2), unit(.search, .pcDarts, 1),
                     unit(.train, .darts, 1), unit(.randomDarts, nil, 1)]
        XCTAssertNil(ExperimentETA.secondsLeft(units: units, finished: [], jobs: 1))
        let finished = [result(units[0], 100), result(units[3], 400)]
        // darts search 2: 100 (its kind and method); pc-darts search 1: 100 (its kind);
        // the random cell: 250 (the mean of everything finished).
        XCTAssertEqual(ExperimentETA.secondsLeft(units: units, finished: finished, jobs: 1), 450)
        XCTAssertEqual(ExperimentETA.secondsLeft(units: units, finished: finished, jobs: 2), 225)
        // The pc-darts search at the searches' 200, the random cell at everything's 800 / 3.
        XCTAssertEqual(try XCTUnwrap(ExperimentETA.secondsLeft(units: units, finished: finished + [result(units[1], 300)], jobs: 1)),
                       200 + 800.0 / 3, accuracy: 1e-9)
    }

    struct Broken: Error {}

    /// A failing unit stops the other running one (through `stopOthers`), starts nothing new,
    /// keeps what finished, and its error comes out after the others have returned.
    func testAFailingUnitStopsTheOthersAndIsRethrown() throws {
        let log = Log()
        let stop = StopSignal()
        let experiment = try Experiment(directory: folder(), plan: plan, settings: ["preset": "cpu"], resume: false)
        XCTAssertThrowsError(try experiment.run({ unit, _, _ in
            log.start(unit.name)
            defer { log.finish(unit.name) }
            if unit.name == "train-entrannas-seed1" { throw Broken() }
            if unit.name == "search-entrannas-seed2" {
                // A long unit, stopped from outside; without stopOthers it ends after 20 s with a result.
                let deadline = Date().addingTimeInterval(20)
                while !stop.isRequested && Date() < deadline { usleep(1_000) }
                return stop.isRequested ? nil : self.fakeResult(unit)
            }
            return self.fakeResult(unit)
        }, jobs: 2, stopOthers: { stop.request("a unit failed") })) { XCTAssertTrue($0 is Broken, "\($0)") }
        XCTAssertEqual(log.running, 0, "run returned while a unit was still running")
        XCTAssertEqual(Set(log.started), ["search-entrannas-seed1", "search-entrannas-seed2", "train-entrannas-seed1"])
        XCTAssertEqual(experiment.finishedResults().map(\.unit.name), ["search-entrannas-seed1"])
    }

    /// Units running at once spread over the GPUs, least busy first, and a freed GPU is reused.
    func testGPUSlotsSpreadUnitsOverTheGPUs() {
        let slots = GPUSlots(count: 3)
        XCTAssertEqual((0..<4).map { _ in slots.acquire() }, [0, 1, 2, 0])
        slots.release(1)
        XCTAssertEqual(slots.acquire(), 1)
        slots.release(0)
        slots.release(0)
        XCTAssertEqual(slots.acquire(), 0)
    }

    /// A plan too large to run (an experiment.json may claim any count) is refused by its
    /// count, before its units are listed, with a message naming the flags.
    func testAPlanTooLargeToRunIsRefusedBeforeItIsListed() {
        for plan in [ExperimentPlan(methods: [.entrannas], seeds: [1], randomCells: Int.max),
                     ExperimentPlan(methods: [.entrannas, .darts], seeds: Array(1...100), randomCells: 0, trainSeeds: Array(1...100))] {
            XCTAssertThrowsError(try plan.validate()) { error in
                XCTAssertTrue("\(error)".contains("--random-cells"), "\(error)")
            }
        }
        XCTAssertNoThrow(try ExperimentPlan(methods: [.entrannas], seeds: [1], randomCells: ExperimentPlan.mostUnits - 2).validate())

        // The same claim in a folder's experiment.json (`entrannas report`) names the file.
        let dir = folder()
        try? FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
        let manifest = #"{"plan": {"methods": ["entrannas"], "seeds": [1], "randomCells": 9000000000000000000}, "settings": {}}"#
        XCTAssertNoThrow(try Data(manifest.utf8).write(to: dir.file("experiment.json")))
        XCTAssertThrowsError(try Experiment(opening: dir)) { error in
            XCTAssertTrue("\(error)".contains("experiment.json holds a plan that cannot be"), "\(error)")
        }
    }

    /// With training seeds every cell is trained once per seed (the same seeds for all), units
    /// named -tN; a cell's accuracy is the mean over its seeds, the spread of one training is
    /// pooled within cells, and 3 searched against 5 random cells can meet the goal (p = 1/56).
    func testTrainingSeedsPairedDesignAndPermutationTest() throws {
        let v2 = ExperimentPlan(methods: [.entrannas, .entrannasDST], seeds: [1, 2, 3], randomCells: 5, trainSeeds: [1, 2])
        XCTAssertEqual(Array(v2.units.map(\.name).prefix(4)),
                       ["search-entrannas-seed1", "train-entrannas-seed1-t1", "train-entrannas-seed1-t2", "search-entrannas-seed2"])
        XCTAssertEqual(v2.units.count, 2 * 3 * 3 + 2 * 5 * 2)
        XCTAssertEqual(v2.dependencies(of: ExperimentUnit(kind: .train, method: .entrannas, seed: 2, trainSeed: 1)),
                       [ExperimentUnit(kind: .search, method: .entrannas, seed: 2)])
        XCTAssertThrowsError(try ExperimentPlan(methods: [.entrannas], seeds: [1], randomCells: 1, trainSeeds: [2, 2]).validate())
        for plan in [v2, ExperimentPlan(methods: [.darts], seeds: [1], randomCells: 3),
                     ExperimentPlan(methods: [.entrannasDST], seeds: [1, 2], randomCells: 4, trainSeeds: [1, 2, 3])] {
            XCTAssertEqual(plan.unitCount, plan.units.count, "counted without listing")
        }
        let results = v2.units.map { unit -> UnitResult in
            var r = UnitResult(unit: unit, seconds: 60, peakMemoryBytes: nil, genotype: "g")
            let noise = unit.trainSeed == 1 ? -0.5 : 0.5
            switch unit.kind {
            case .search: r.superNetAccuracy = 0.8; r.derivedAccuracy = 0.5 + 0.01 * Double(unit.seed)
            case .train: r.testAccuracy = (unit.method == .entrannas ? 90 : 86) + Double(unit.seed) + noise
            case .randomDarts, .randomDST: r.testAccuracy = 85 + 0.1 * Double(unit.seed) + noise
            }
            r.parameters = 1_000_000
            // Size rises with the cell's accuracy, except that no random cell has its own count.
            r.multiplyAdds = unit.kind == .search ? nil : Int(1000 * ((r.testAccuracy ?? 0) - noise))
            return r
        }
        let summary = ExperimentSummary(plan: v2, settings: [:], results: results)
        let rows = Dictionary(uniqueKeysWithValues: summary.rows.map { ($0.name, $0) })
        XCTAssertEqual(rows["entrannas"]?.testAccuracy?.count, 3, "one value per cell")
        XCTAssertEqual(rows["entrannas"]?.testAccuracy?.mean ?? 0, 92, accuracy: 1e-9)
        XCTAssertEqual(rows["entrannas"]?.trainingNoise ?? 0, 0.5.squareRoot(), accuracy: 1e-9, "pooled sd of -0.5, +0.5")
        XCTAssertEqual(rows["entrannas"]?.parametersM?.mean ?? 0, 1, accuracy: 1e-9)
        let interval = try XCTUnwrap(rows["random (DARTS rule)"]?.testAccuracyInterval)
        XCTAssertTrue(interval[0] >= 85.1 - 1e-9 && interval[1] <= 85.5 + 1e-9 && interval[0] < interval[1], "\(interval)")
        let tests = Dictionary(uniqueKeysWithValues: summary.comparisons.map { ($0.method, $0) })
        XCTAssertEqual(tests["entrannas"]?.p ?? 0, 1.0 / 56, accuracy: 1e-12)
        XCTAssertEqual(tests["entrannas"]?.pHolm ?? 0, 2.0 / 56, accuracy: 1e-12)
        XCTAssertEqual(tests["entrannas-dst"]?.rule, "random (DST in-degree)")
        let goals = Dictionary(uniqueKeysWithValues: summary.goals.map { ($0.goal, $0.verdict) })
        XCTAssertEqual(goals["entrannas cells beat the random cells of the same rule (permutation test, Holm p < 0.05)"],
                       "met (+6.70 points, p = 0.018, Holm p = 0.036; 3 vs 5 cells)")
        XCTAssertEqual(summary.rankCorrelation?.cells, 6)
        // Multiply-adds order the cells exactly as their accuracies do: tau 1 over every trained
        // cell, searched and random, far beyond what a random pairing of so many reaches.
        let size = try XCTUnwrap(summary.sizeCorrelation)
        XCTAssertEqual(size.tau, 1, accuracy: 1e-12)
        XCTAssertEqual(size.cells, summary.cells { _ in true }.count)
        XCTAssertLessThan(size.p, 0.001)
        XCTAssertTrue(summary.markdown.contains("Kendall's tau between multiply-adds and trained accuracy, over all \(size.cells) trained cells"), summary.markdown)
        XCTAssertTrue(summary.json.contains("\"size_tau\""), summary.json)
        XCTAssertTrue(summary.markdown.contains("## Searched against random cells"), summary.markdown)
        XCTAssertTrue(summary.markdown.contains("trained with seeds 1, 2"), summary.markdown)
        // Partial results say so in the verdict, unless no result still to come can change it:
        // EnTranNAS' cells are all trained and p = 1/56 stays below 0.05 / 2 methods; DST's last
        // random cell has one of its two trainings, so it can still fall anywhere.
        let partial = ExperimentSummary(plan: v2, settings: [:], results: Array(results.dropLast()))
        let partialGoals = Dictionary(uniqueKeysWithValues: partial.goals.map { ($0.goal, $0.verdict) })
        XCTAssertEqual(partialGoals["entrannas cells beat the random cells of the same rule (permutation test, Holm p < 0.05)"],
                       "decided: met (+6.70 points, p = 0.018, Holm p = 0.036; 3 vs 5 cells; every cell trained, p cannot exceed 0.018)")
        XCTAssertEqual(partialGoals["entrannas-dst cells beat the random cells of the same rule (permutation test, Holm p < 0.05)"]?
            .hasPrefix("partial: met"), true, "\(partial.goals)")
        // The half-trained random cell (one of its two seeds) is in no number yet: the pairing holds.
        let partialDST = try XCTUnwrap(partial.comparisons.first { $0.method == "entrannas-dst" })
        XCTAssertEqual([partialDST.searched.count, partialDST.random.count], [3, 4])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: partial.rows.map { ($0.name, $0) })["random (DST in-degree)"]?
            .testAccuracy?.count, 4)
        // Searched cells in the middle of the random ones, one still to train: missed, decided.
        // {85.25, 85.25, x} against 85.1 ... 85.5: with x above everything, 15 of the 56 splits
        // are as large (x with any pair summing to at least 170.5).
        let level = results.filter { $0.unit.method != .entrannas || $0.unit.seed != 3 }.map { result -> UnitResult in
            var r = result
            if r.unit.kind == .train { r.testAccuracy = 85.25 + (r.unit.trainSeed == 1 ? -0.5 : 0.5) }
            return r
        }
        let decided = ExperimentSummary(plan: v2, settings: [:], results: level).goals.first { $0.goal.hasPrefix("entrannas cells") }
        XCTAssertEqual(decided?.verdict.hasPrefix("decided: missed"), true, "\(String(describing: decided))")
        XCTAssertEqual(decided?.verdict.hasSuffix("1 cell still to train, p cannot go below 0.268)"), true, "\(String(describing: decided))")
    }

    /// Missed is decided early also where only Holm rules "met" out: the family's smallest p,
    /// times the family's size, is a floor under every Holm p. Experiment v2's case: DST's last
    /// random cells could still take its raw p below 0.05, but not its Holm p.
    func testHolmDecidesMissedWhenNoCellStillToComeCanBringItBelowAlpha() {
        let plan = ExperimentPlan(methods: [.darts, .pcDarts, .entrannasDST], seeds: [1, 2, 3], randomCells: 6, trainSeeds: [1])
        func goals(dst searched: [Double], pcDartsTrained: Bool = true) -> [String: String] {
            let results = plan.units.compactMap { unit -> UnitResult? in
                var r = UnitResult(unit: unit, seconds: 60, peakMemoryBytes: nil, genotype: "g")
                let k = Int(unit.seed)
                switch unit.kind {
                case .search: r.superNetAccuracy = 0.8; r.derivedAccuracy = 0.5
                case .train:
                    if unit.method == .pcDarts && !pcDartsTrained { return nil }
                    r.testAccuracy = unit.method == .entrannasDST ? searched[k - 1] : 89.8 + 0.2 * Double(k)
                case .randomDarts: r.testAccuracy = 89.5 + 0.2 * Double(k)
                case .randomDST:
                    guard k <= 4 else { return nil }  // two random cells still to train
                    r.testAccuracy = 90.2 - 0.2 * Double(k)
                }
                return r
            }
            return Dictionary(uniqueKeysWithValues: ExperimentSummary(plan: plan, settings: [:], results: results).goals.map { ($0.goal, $0.verdict) })
        }
        let goal = "entrannas-dst cells beat the random cells of the same rule (permutation test, Holm p < 0.05)"
        // 92, 91, 89.5 against 90, 89.8, 89.6, 89.4 and two cells below all: 4 of the 84 splits
        // are as large, p = 0.048 at best; DARTS' and PC-DARTS' p are 46/84: Holm 3 x 0.048.
        let decided = goals(dst: [92, 91, 89.5])[goal] ?? ""
        XCTAssertTrue(decided.hasPrefix("decided: missed (+1.13 points, p = 0.114"), decided)
        XCTAssertTrue(decided.hasSuffix("; 3 vs 4 cells; 2 cells still to train, Holm p cannot go below 0.143)"), decided)
        // 92, 91.5, 91 above all: 1 of 84 at best, Holm 0.036; still open.
        XCTAssertTrue(goals(dst: [92, 91.5, 91])[goal]?.hasPrefix("partial: ") ?? false)
        // PC-DARTS not compared yet: its p may still come out at 1/84, and the family of two
        // compared so far gives 2/84 = 0.024 at least; open too.
        XCTAssertTrue(goals(dst: [92, 91, 89.5], pcDartsTrained: false)[goal]?.hasPrefix("partial: ") ?? false)
        // DARTS' comparison is complete, its raw p above alpha: decided by its own range, as before.
        XCTAssertTrue(goals(dst: [92, 91, 89.5])["darts cells beat the random cells of the same rule (permutation test, Holm p < 0.05)"]?
            .contains("every cell trained, p cannot go below 0.548") ?? false)
    }

    /// The cell to train in full is the most accurate searched cell over its trainings, among
    /// those with all of them done, whichever method; on a tie the first in plan order. The
    /// summary writes its genotype to best-genotype.txt and removes a stale one.
    func testTheBestSearchedCellIsTheMostAccurateWithAllItsTrainings() throws {
        let plan = ExperimentPlan(methods: [.darts, .entrannas], seeds: [1, 2], randomCells: 2, trainSeeds: [1, 2])
        let accuracies: [String: Double] = [
            "train-entrannas-seed1-t1": 90, "train-entrannas-seed1-t2": 91,  // 90.5
            "train-entrannas-seed2-t1": 95,                                  // most accurate, one training of two
            "train-darts-seed1-t1": 90.25, "train-darts-seed1-t2": 90.75,    // 90.5 too, later in plan order
            "train-darts-seed2-t1": 89, "train-darts-seed2-t2": 89.5,
            "random-darts-1-t1": 91, "random-darts-1-t2": 91.2, "random-darts-2-t1": 96,
        ]
        let results = plan.units.compactMap { unit -> UnitResult? in
            if unit.kind == .search { return UnitResult(unit: unit, seconds: 1, peakMemoryBytes: nil, genotype: "searched \(unit.name)") }
            guard let accuracy = accuracies[unit.name] else { return nil }
            var r = UnitResult(unit: unit, seconds: 1, peakMemoryBytes: nil, genotype: "cell of \(unit.cell.name)")
            r.testAccuracy = accuracy
            (r.parameters, r.multiplyAdds) = (250_000 + Int(unit.seed), 32_000_000)
            return r
        }
        let summary = ExperimentSummary(plan: plan, settings: [:], results: results)
        let best = try XCTUnwrap(summary.bestSearched)
        XCTAssertEqual(best, ExperimentSummary.BestCell(search: "search-entrannas-seed1", method: "entrannas", seed: 1, accuracy: 90.5,
                                                        trainings: 2, candidates: 3, bestRandom: 91.1, genotype: "cell of train-entrannas-seed1",
                                                        parameters: 250_001, multiplyAdds: 32_000_000))
        XCTAssertTrue(summary.markdown.contains("## Best searched cell\n\nentrannas seed 1 (`units/search-entrannas-seed1/`): 90.50% test accuracy (0.250M parameters, 32.0M multiply-adds per image, as trained here), the mean of 2 trainings, the most accurate of 3 searched cells with all their trainings."), summary.markdown)
        XCTAssertTrue(summary.markdown.contains("the most accurate random cell reached 91.10%"), summary.markdown)
        XCTAssertTrue(summary.json.contains("\"best_searched\""), summary.json)

        let experiment = try Experiment(directory: folder(), plan: plan, settings: [:], resume: false)
        let file = experiment.directory.file(Experiment.bestGenotypeFile)
        try experiment.writeSummary(results)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "cell of train-entrannas-seed1\n")
        // No searched cell with all its trainings: no pick, and no file left from before.
        let onlyRandom = results.filter { $0.unit.kind != .train || $0.unit.trainSeed == 1 }
        XCTAssertNil(ExperimentSummary(plan: plan, settings: [:], results: onlyRandom).bestSearched)
        try experiment.writeSummary(onlyRandom)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
        XCTAssertFalse(ExperimentSummary(plan: plan, settings: [:], results: onlyRandom).markdown.contains("Best searched cell"))
    }

    /// Every comparison carries Welch's interval of its difference; the methods that share a
    /// random rule are also pooled against it (exploratory, outside Holm's family), and both
    /// files show it: here EnTranNAS' and DARTS' six cells against the three DARTS-rule ones,
    /// while DST, alone with its rule, gets no pooled line.
    func testPooledComparisonAndDifferenceIntervals() throws {
        let plan = ExperimentPlan(methods: [.entrannas, .darts, .entrannasDST], seeds: [1, 2, 3], randomCells: 3, trainSeeds: [1, 2])
        let results = plan.units.map { unit -> UnitResult in
            var r = UnitResult(unit: unit, seconds: 60, peakMemoryBytes: nil, genotype: "g")
            let noise = unit.trainSeed == 1 ? -0.25 : 0.25
            switch unit.kind {
            case .search: r.superNetAccuracy = 0.8; r.derivedAccuracy = 0.5
            case .train: r.testAccuracy = (unit.method == .darts ? 90.2 : 90) + 0.3 * Double(unit.seed) + noise
            // The two rules' random cells differ, so pooling against the wrong ones shows.
            case .randomDarts: r.testAccuracy = 90 + 0.2 * Double(unit.seed) + noise
            case .randomDST: r.testAccuracy = 89 + 0.2 * Double(unit.seed) + noise
            }
            return r
        }
        let summary = ExperimentSummary(plan: plan, settings: [:], results: results)
        let tests = summary.permutationTests
        let entrannas = try XCTUnwrap(tests.comparisons.first { $0.method == "entrannas" })
        XCTAssertEqual(entrannas.searched.count, 3)
        for (cell, value) in zip(entrannas.searched, [90.3, 90.6, 90.9]) { XCTAssertEqual(cell, value, accuracy: 1e-9) }
        let expected = try XCTUnwrap(Statistics.differenceInterval(entrannas.searched, entrannas.random))
        XCTAssertEqual(entrannas.differenceInterval?[0] ?? 0, expected.low, accuracy: 1e-12)
        XCTAssertEqual(entrannas.differenceInterval?[1] ?? 0, expected.high, accuracy: 1e-12)
        XCTAssertEqual(tests.pooled.count, 1, "DST has no other method of its rule")
        let pooled = try XCTUnwrap(tests.pooled.first)
        XCTAssertEqual(pooled.method, "entrannas + darts")
        XCTAssertEqual(pooled.rule, "random (DARTS rule)")
        XCTAssertEqual(pooled.searched.count, 6)
        XCTAssertEqual(pooled.random.count, 3)
        XCTAssertEqual(pooled.difference, (90.6 + 90.8) / 2 - 90.4, accuracy: 1e-9)
        XCTAssertEqual(pooled.p, Statistics.permutationTest(pooled.searched, pooled.random), accuracy: 1e-12)
        XCTAssertEqual(pooled.pHolm, pooled.p, "outside the family")
        // The pooled test is not one of the family: the per-method Holm p-values ignore it.
        XCTAssertEqual(tests.comparisons.map(\.pHolm), Statistics.holm(tests.comparisons.map(\.p)))
        let markdown = summary.markdown(tests)
        XCTAssertTrue(markdown.contains("| difference (points) | 95% interval | p | Holm p |"), markdown)
        XCTAssertTrue(markdown.contains(String(format: "| entrannas | random (DARTS rule) | 3 | 3 | %+.2f | [%+.2f, %+.2f] |",
                                               entrannas.difference, expected.low, expected.high)), markdown)
        XCTAssertTrue(markdown.contains(String(format: "Pooled, exploratory (outside the Holm family): the cells of entrannas + darts together, 6 against 3 random (DARTS rule) cells: %+.2f points, 95%% interval [%+.2f, %+.2f], one-sided permutation p = %.3f.",
                                               pooled.difference, pooled.differenceInterval?[0] ?? 0, pooled.differenceInterval?[1] ?? 0, pooled.p)), markdown)
        let json = summary.json(tests)
        XCTAssertTrue(json.contains("\"pooled_comparisons\""), json)
        XCTAssertTrue(json.contains("\"difference_interval\""), json)
        XCTAssertEqual(pooled.random, entrannas.random)
        // One method per rule: a comparison, nothing to pool.
        let one = ExperimentPlan(methods: [.darts], seeds: [1, 2], randomCells: 2, trainSeeds: [1, 2])
        let alone = ExperimentSummary(plan: one, settings: [:], results: one.units.map { unit in
            var r = UnitResult(unit: unit, seconds: 60, peakMemoryBytes: nil, genotype: "g")
            if unit.kind != .search { r.testAccuracy = 90 + Double(unit.seed) }
            return r
        })
        XCTAssertEqual(alone.permutationTests.comparisons.count, 1)
        XCTAssertTrue(alone.permutationTests.pooled.isEmpty)
    }

    /// A plan whose groups are too small for a test to say "met" is told so with the smallest
    /// change that can: exact p >= 1 / C(n + m, n), times the number of methods under Holm.
    func testPowerNotesNameThePlansThatCannotMeetAGoal() throws {
        // The README's example: 2 seeds against 3 random cells, four methods: p >= 1/10.
        let small = ExperimentPlan(methods: [.entrannas, .entrannasDST, .pcDarts, .darts], seeds: [1, 2], randomCells: 3)
        XCTAssertEqual(small.smallestHolmP ?? 0, 0.4, accuracy: 1e-12)
        XCTAssertEqual(small.powerNotes(), [
            "no method can be shown to beat the random cells with this plan: 2 searched against 3 random cells give a permutation p of at least 1/10 = 0.100, and Holm over 4 methods needs the best below 0.05 / 4 = 0.0125; 6 seeds (--seeds) or 12 random cells (--random-cells) can",
            "EnTranNAS' gap cannot be shown smaller than DARTS' with 2 seeds: 2 gaps against 2 give a permutation p of at least 1/6 = 0.167; 4 seeds can",
        ])
        // 3 against 5 under four methods: 4/56 = 0.071; 4 seeds (4/126) or 6 random cells (4/84) can.
        let three = ExperimentPlan(methods: [.entrannas, .entrannasDST, .pcDarts, .darts], seeds: [1, 2, 3], randomCells: 5)
        XCTAssertEqual(three.powerNotes().first?.hasSuffix("and Holm over 4 methods needs the best below 0.05 / 4 = 0.0125; 4 seeds (--seeds) or 6 random cells (--random-cells) can"), true,
                       "\(three.powerNotes())")
        // 3 seeds' gaps: 1/20 = 0.05 is not below 0.05.
        XCTAssertEqual(three.powerNotes().count, 2)
        // v2's plan can meet both; so can one method with 3 against 5 (1/56), which four cannot.
        XCTAssertEqual(ExperimentPlan(methods: [.entrannas, .entrannasDST, .pcDarts, .darts], seeds: [1, 2, 3, 4], randomCells: 6).powerNotes(), [])
        XCTAssertEqual(ExperimentPlan(methods: [.darts], seeds: [1, 2, 3], randomCells: 5).powerNotes(), [])
        // One method, one seed, one random cell: "needs it below 0.05"; no DARTS, no gap note.
        XCTAssertEqual(ExperimentPlan(methods: [.entrannasDST], seeds: [1], randomCells: 1).powerNotes(), [
            "no method can be shown to beat the random cells with this plan: 1 searched against 1 random cell give a permutation p of at least 1/2 = 0.500, and Holm needs it below 0.05; 20 seeds (--seeds) or 20 random cells (--random-cells) can",
        ])
        // No random cells: no comparison to power; the gap note alone.
        XCTAssertNil(ExperimentPlan(methods: [.entrannas, .darts], seeds: [1, 2], randomCells: 0).smallestHolmP)
        XCTAssertEqual(ExperimentPlan(methods: [.entrannas, .darts], seeds: [1, 2], randomCells: 0).powerNotes().count, 1)
        // results.md says it below the goals.
        let markdown = ExperimentSummary(plan: small, settings: [:], results: []).markdown
        let note = try XCTUnwrap(markdown.range(of: "\n\nPlan: EnTranNAS' gap cannot be shown smaller than DARTS' with 2 seeds"), markdown)
        let goals = try XCTUnwrap(markdown.range(of: "## Goals")), units = try XCTUnwrap(markdown.range(of: "## Units"))
        XCTAssertTrue(goals.upperBound < note.lowerBound && note.upperBound < units.lowerBound, "between the goals and the units")
        XCTAssertFalse(ExperimentSummary(plan: ExperimentPlan(methods: [.darts], seeds: [1, 2, 3], randomCells: 5), settings: [:], results: [])
            .markdown.contains("Plan: "))
    }

    func testSummaryStatisticsAndGoals() {
        let results = plan.units.map(fakeResult)
        let summary = ExperimentSummary(plan: plan, settings: [:], results: results)
        let rows = Dictionary(uniqueKeysWithValues: summary.rows.map { ($0.name, $0) })
        let ent = rows["entrannas"]!
        XCTAssertEqual(ent.testAccuracy?.mean ?? 0, 91.5, accuracy: 1e-9)
        XCTAssertEqual(ent.testAccuracy?.std ?? 0, 0.5.squareRoot(), accuracy: 1e-9)  // 91 and 92
        XCTAssertEqual(ent.gapPoints?.mean ?? 0, 1, accuracy: 1e-9)
        XCTAssertEqual(rows["darts"]?.gapPoints?.mean ?? 0, 30, accuracy: 1e-9)
        XCTAssertEqual(rows["random (DARTS rule)"]?.trained, 2)
        let goals = Dictionary(uniqueKeysWithValues: summary.goals.map { ($0.goal, $0.verdict) })
        // Every search of a method has the same numbers: an interval of no width, on the goal's side.
        XCTAssertEqual(goals["EnTranNAS-DST prunes at least half of the candidates (95% interval of the mean)"],
                       "met (60.00%, 95% interval [60.00, 60.00]; 2 searches)")
        XCTAssertEqual(goals["EnTranNAS-DST consistency gap at most 2 points (95% interval of the mean)"],
                       "met (1.00 points, 95% interval [1.00, 1.00]; 2 searches)")
        XCTAssertEqual(goals["EnTranNAS consistency gap at most 10 points (95% interval of the mean)"],
                       "met (1.00 points, 95% interval [1.00, 1.00]; 2 searches)")
        // 1 point against 30, but two searches each: the smallest exact p is 1/6.
        XCTAssertEqual(goals["EnTranNAS gap smaller than DARTS' (permutation test, p < 0.05)"],
                       "missed (1.00 vs 30.00 points, p = 0.167; 2 vs 2 searches)")
        // 2 searched against 2 random cells: the smallest exact p is 1/6, so no mean difference
        // can meet the goal; the verdict says so with the numbers.
        XCTAssertEqual(goals["darts cells beat the random cells of the same rule (permutation test, Holm p < 0.05)"],
                       "missed (+6.50 points, p = 0.167, Holm p = 0.500; 2 vs 2 cells)")
        XCTAssertNil(ExperimentSummary.Spread([]))
        XCTAssertNil(ExperimentSummary.Spread([3])?.std)
    }

    /// The gap and pruning goals are decided by a test or an interval, never by one mean against
    /// another: EnTranNAS' gaps against DARTS' by a permutation test over the search seeds (4
    /// against 3 gaps, all smaller: p = 1/35), DST's bounds by the t interval of the mean, which
    /// must lie wholly on the goal's side (met), wholly beyond it (missed), or holds it
    /// (undecided); searches still to come make a verdict "partial" unless none can change it.
    func testGapAndPruningGoalsNeedATestOrAnInterval() {
        let plan = ExperimentPlan(methods: [.darts, .entrannasDST, .entrannas], seeds: [1, 2, 3, 4], randomCells: 0)
        func search(_ method: SearchMethod, _ seed: UInt64, gap: Double, pruned: Double? = nil) -> UnitResult {
            var r = UnitResult(unit: ExperimentUnit(kind: .search, method: method, seed: seed), seconds: 1, peakMemoryBytes: nil, genotype: "g")
            (r.superNetAccuracy, r.derivedAccuracy, r.prunedFraction) = (0.9, 0.9 - gap / 100, pruned)
            return r
        }
        func goal(_ results: [UnitResult], _ prefix: String) -> String? {
            ExperimentSummary(plan: plan, settings: [:], results: results).goals.first { $0.goal.hasPrefix(prefix) }?.verdict
        }
        let entrannas = [50.0, 55, 60, 65].enumerated().map { search(.entrannas, UInt64($0 + 1), gap: $1) }
        let darts = [70.0, 75, 80].enumerated().map { search(.darts, UInt64($0 + 1), gap: $1) }
        // DARTS' fourth search still to come: a small gap there would lift p above 0.05.
        XCTAssertEqual(goal(entrannas + darts, "EnTranNAS gap smaller"),
                       "partial: met (57.50 vs 75.00 points, p = 0.029; 4 vs 3 searches)")
        XCTAssertEqual(goal(entrannas + darts + [search(.darts, 4, gap: 90)], "EnTranNAS gap smaller"),
                       "met (57.50 vs 78.75 points, p = 0.014; 4 vs 4 searches)")
        // A DARTS gap among EnTranNAS' (52, 75, 80): 4 of the 35 splits are as extreme, p = 0.114,
        // and even a huge fourth gap leaves 4 of 70: decided.
        XCTAssertEqual(goal(entrannas + [search(.darts, 1, gap: 52)] + darts.dropFirst(), "EnTranNAS gap smaller"),
                       "decided: missed (57.50 vs 69.00 points, p = 0.114; 4 vs 3 searches; 1 search still to run, p cannot go below 0.057)")
        XCTAssertEqual(goal(entrannas, "EnTranNAS gap smaller"), "pending")
        // EnTranNAS' own bound: 57.5 ± 3.182 · 6.455 / 2, wholly above 10 points.
        XCTAssertEqual(goal(entrannas, "EnTranNAS consistency gap at most 10"),
                       "missed (57.50 points, 95% interval [47.23, 67.77]; 4 searches)")
        // Three gaps around 10 (8, 9.5, 10.5): the interval [6.21, 12.46] holds the bound.
        let near = [8.0, 9.5, 10.5].enumerated().map { search(.entrannas, UInt64($0 + 1), gap: $1) }
        XCTAssertEqual(goal(near, "EnTranNAS consistency gap at most 10"),
                       "partial: undecided (9.33 points, 95% interval [6.21, 12.46]; 3 searches)")

        // DST's gap: 1.0 and 1.4 give the interval 1.2 ± 12.706 · 0.283 / √2, which holds 2.
        let dst = [search(.entrannasDST, 1, gap: 1.0, pruned: 0.7), search(.entrannasDST, 2, gap: 1.4, pruned: 0.72)]
        XCTAssertEqual(goal(dst, "EnTranNAS-DST consistency gap"),
                       "partial: undecided (1.20 points, 95% interval [-1.34, 3.74]; 2 searches)")
        let tight = dst + [search(.entrannasDST, 3, gap: 1.2, pruned: 0.71), search(.entrannasDST, 4, gap: 1.2, pruned: 0.69)]
        XCTAssertEqual(goal(tight, "EnTranNAS-DST consistency gap"), "met (1.20 points, 95% interval [0.94, 1.46]; 4 searches)")
        XCTAssertEqual(goal(tight, "EnTranNAS-DST prunes"), "met (70.50%, 95% interval [68.45, 72.55]; 4 searches)")
        let wide = tight.map { r -> UnitResult in var r = r; r.derivedAccuracy = 0.9 - (r.unit.seed == 1 ? 0.03 : 0.035); return r }
        XCTAssertEqual(goal(wide, "EnTranNAS-DST consistency gap"), "missed (3.38 points, 95% interval [2.98, 3.77]; 4 searches)")
        // One value has no interval: undecided, whatever its side.
        XCTAssertEqual(goal([dst[0]], "EnTranNAS-DST prunes"), "partial: undecided (70.00%; one search, no interval)")
        // Pruning is bounded from below: an interval that holds 50 is undecided, one below it missed.
        func pruned(_ shares: [Double]) -> [UnitResult] {
            shares.enumerated().map { search(.entrannasDST, UInt64($0 + 1), gap: 1, pruned: $1) }
        }
        XCTAssertEqual(goal(pruned([0.45, 0.52, 0.5, 0.55]), "EnTranNAS-DST prunes"),
                       "undecided (50.50%, 95% interval [43.81, 57.19]; 4 searches)")
        XCTAssertEqual(goal(pruned([0.40, 0.42, 0.41, 0.41]), "EnTranNAS-DST prunes"),
                       "missed (41.00%, 95% interval [39.70, 42.30]; 4 searches)")
        // A finished search without the value (an old result) is named, not waited for.
        var old = search(.entrannasDST, 4, gap: 0)
        (old.superNetAccuracy, old.prunedFraction) = (nil, 0.7)
        XCTAssertEqual(goal(Array(tight.prefix(3)) + [old], "EnTranNAS-DST consistency gap"),
                       "met (1.20 points, 95% interval [0.70, 1.70]; 3 searches; 1 search without it)")
        var noGap = search(.darts, 4, gap: 0)
        noGap.derivedAccuracy = nil
        XCTAssertEqual(goal(entrannas + darts + [noGap], "EnTranNAS gap smaller"),
                       "met (57.50 vs 75.00 points, p = 0.029; 4 vs 3 searches, 1 without a gap)")
    }

    /// "No node keeps more than half of its candidates" is decided per search from the derived
    /// genotypes: one search with a dense node misses it for good; all searches below half meet it.
    func testDenseNodeGoalReadsEverySearchesGenotype() throws {
        let plan = ExperimentPlan(methods: [.entrannasDST], seeds: [1, 2], randomCells: 0)
        let darts = try XCTUnwrap(Genotype.named("DARTS_V2"))
        var dense = darts
        dense.reduce[3] = (0...4).flatMap { input in [Primitive.sepConv3x3, .maxPool3x3, .skipConnect, .avgPool3x3].map { Connection($0, input) } }
        func search(_ seed: UInt64, _ genotype: Genotype) -> UnitResult {
            UnitResult(unit: ExperimentUnit(kind: .search, method: .entrannasDST, seed: seed), seconds: 1, peakMemoryBytes: nil,
                       genotype: genotype.dartsText)
        }
        func goal(_ results: [UnitResult]) -> String? {
            ExperimentSummary(plan: plan, settings: [:], results: results).goals.first { $0.goal.hasPrefix("EnTranNAS-DST: no node") }?.verdict
        }
        XCTAssertEqual(goal([]), "pending")
        XCTAssertEqual(goal([search(1, darts)]), "partial: met (largest share per search: 14%)")
        XCTAssertEqual(goal([search(1, darts), search(2, darts)]), "met (largest share per search: 14%, 14%)")
        // 20 of the last node's 35 candidates: 57%.
        XCTAssertEqual(goal([search(1, dense)]), "decided: missed (largest share per search: 57%)")
        XCTAssertEqual(goal([search(1, darts), search(2, dense)]), "missed (largest share per search: 14%, 57%)")
        var unreadable = search(2, darts)
        unreadable.genotype = "not a genotype"
        XCTAssertEqual(goal([search(1, darts), unreadable]), "partial: met (largest share per search: 14%, ?)")
    }
}
