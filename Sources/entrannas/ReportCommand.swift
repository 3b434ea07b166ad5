import ArgumentParser
import Foundation
import NAS

/// `entrannas report DIR`: rebuilds report.html from a run folder's files.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild report.html of a search, training, run or experiment folder from its files.",
        discussion: """
        Works for finished, interrupted and running folders alike: everything comes from the \
        files (metrics.jsonl, config.json, genotype, report.json, the cell diagrams). Open the \
        page in any browser; it needs no network. For an experiment it first rewrites \
        results.md and results.json from experiment.json and the units' result.json, so a \
        folder summarised by an older binary (or kept without its run files) gets this \
        version's statistics.

        Example:
          entrannas report runs/run-entrannas-seed1
        """)

    @Argument(help: "The run folder (the --output of search, train, run or experiment).")
    var folder: String

    func run() throws {
        let url = URL(fileURLWithPath: (folder as NSString).expandingTildeInPath, isDirectory: true)
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("experiment.json").path) {
            let experiment = try Experiment(opening: RunDirectory(url: url))
            let results = experiment.finishedResults()
            // A result.json that does not decode, or is another unit's, counts as unfinished (a
            // resume redoes the unit); say so.
            let read = Set(results.map(\.unit.name))
            for unit in experiment.plan.units where !read.contains(unit.name) {
                let file = experiment.folder(of: unit).file("result.json")
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                FileHandle.standardError.write(Data("warning: \(file.path) cannot be read as \(unit.name)'s result; it counts as unfinished (a --resume redoes it)\n".utf8))
            }
            try experiment.writeSummary(results)  // results.md, results.json and report.html
            print("wrote results.md, results.json and report.html (\(results.count) of \(experiment.plan.units.count) units finished) in \(url.path)")
            return
        }
        print("wrote \(try HTMLReport.write(for: url).path)")
    }
}
