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
        page in any browser; it needs no network.

        Example:
          entrannas report runs/run-entrannas-seed1
        """)

    @Argument(help: "The run folder (the --output of search, train, run or experiment).")
    var folder: String

    func run() throws {
        let url = URL(fileURLWithPath: (folder as NSString).expandingTildeInPath, isDirectory: true)
        print("wrote \(try HTMLReport.write(for: url).path)")
    }
}
