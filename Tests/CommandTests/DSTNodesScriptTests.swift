import Foundation
import XCTest

/// experiments/dst-nodes.sh (through experiments/dst-search.sh) on a made-up folder that holds
/// both layouts it reads: an experiment unit with two trainings, and plain search folders as
/// settle-e20.sh keeps them, one trained and one whose training has not finished.
final class DSTNodesScriptTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try temporaryFolder(self)
        try copyFromRepository(["experiments/dst-nodes.sh", "experiments/dst-search.sh"], to: root)
    }

    private func write(_ text: String, _ path: String) throws { try writeFile(text, "folder/\(path)", under: root) }

    func testBothLayoutsGiveInDegreesShareAndPruningAndTheTrainingsAccuracy() throws {
        // A unit: node 0 of the normal cell keeps 7 of its 14 candidates; pruning and accuracies
        // as the experiment recorded them.
        try write(genotypeJSON(normal: [7, 1, 1, 1], reduce: [1, 1, 1, 1]), "units/search-entrannas-dst-seed1/genotype.json")
        try write(#"{"superNetAccuracy": 0.9, "derivedAccuracy": 0.85, "prunedFraction": 0.5}"#, "units/search-entrannas-dst-seed1/result.json")
        try write(#"{"testAccuracy": 91.5}"#, "units/train-entrannas-dst-seed1-t1/result.json")
        try write(#"{"testAccuracy": 91.25}"#, "units/train-entrannas-dst-seed1-t2/result.json")
        // Plain folders: 10 of 196 candidates kept, the largest share (3 of 28) in the reduction cell; seed 3's training unfinished.
        for seed in [2, 3] {
            try write(genotypeJSON(normal: [1, 1, 1, 1], reduce: [1, 1, 3, 1]), "seed\(seed)/genotype.json")
            try write(#"{"super_net_accuracy": 0.88, "derived_accuracy": 0.8775}"#, "seed\(seed)/report.json")
            try write(#"{"epoch": 1, "test_top1": 80.0}"# + "\n" + #"{"epoch": 10, "test_top1": 90.4}"# + "\n", "train-seed\(seed)/metrics.jsonl")
        }
        try write("2026-12-07T10:00:00Z\n", "train-seed2/finished")

        let result = try runBash(root.appendingPathComponent("experiments/dst-nodes.sh"),
                                 [root.appendingPathComponent("folder").path, "mean"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output.split(separator: "\n").dropFirst(2), [
            "| mean, seed 2 | 1, 1, 1, 1 | 1, 1, 3, 1 | 11% | 94.9 | 88 | 87.75 | 0.25 | 90.4 |",
            "| mean, seed 3 | 1, 1, 1, 1 | 1, 1, 3, 1 | 11% | 94.9 | 88 | 87.75 | 0.25 | - |",
            "| mean, seed 1 | 7, 1, 1, 1 | 1, 1, 1, 1 | 50% | 50 | 90 | 85 | 5 | 91.5, 91.25 |",
        ])
    }
}
