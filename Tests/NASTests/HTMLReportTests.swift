import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import NAS

/// report.html for search folders with one and with many epochs, an interrupted search and a
/// training run: well-formed (parsed as XML), with the sections a reader looks for.
final class HTMLReportTests: SingleThreadTestCase {
    private func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-html-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func search(epochs: Int, stopAfterSteps: Int? = nil) throws -> URL {
        let out = folder()
        let h = tinyHyper(.entrannasDST, epochs: epochs)
        let stop = StopSignal()
        let run = try SearchRun(config: tinyConfig(.entrannasDST), hyper: h, train: syntheticDataset(), seed: 1, output: out,
                                stop: stop)
        if let limit = stopAfterSteps {
            run.observer = RecordingObserver { _, done in if done >= limit { stop.request() } }
        }
        _ = try run.run()
        return out
    }

    /// Parses `text` as XML and counts its elements by name.
    private func elements(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String: Int] {
        final class Counter: NSObject, XMLParserDelegate {
            var counts: [String: Int] = [:]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                counts[name, default: 0] += 1
                // The longest line drawn, in points.
                if name == "polyline", let points = attributes["points"] {
                    counts["longest polyline"] = max(counts["longest polyline"] ?? 0, points.split(separator: " ").count)
                }
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))", file: file, line: line)
        return counter.counts
    }

    func testFinishedSearchWithOneEpoch() throws {
        let out = try search(epochs: 1)
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        let counts = elements(html)
        XCTAssertTrue(html.contains("Finished: 1 of 1 epoch."), html)
        XCTAssertTrue(html.contains("<h3>Timings</h3><p>1 epoch in "), html)
        for section in ["Genotype", "Consistency", "Plots", "Timings", "Settings", "Files"] {
            XCTAssertTrue(html.contains("<h3>\(section)"), section)
        }
        // 4 plots + 2 edge grids + 2 DST plots + 2 per-node in-degree plots + 2 threshold plots,
        // and the cell diagrams when Graphviz is there.
        let diagrams = FileManager.default.fileExists(atPath: out.appendingPathComponent("normal.svg").path) ? 2 : 0
        XCTAssertEqual(counts["svg"], 12 + diagrams)
        XCTAssertTrue(html.contains("DST: inputs kept per node, normal cell"))
        XCTAssertTrue(html.contains("href=\"metrics.jsonl\""))
        XCTAssertTrue(html.contains("; CPU time "), "the run's CPU total from metrics.jsonl")

        // A damaged config.json or report.json is said at the top, not left out without a word;
        // a damaged metrics.jsonl names its line and the fix.
        for name in ["config.json", "report.json"] {
            try Data("{\"epochs\": ".utf8).write(to: out.appendingPathComponent(name))
        }
        let damaged = try HTMLReport.html(for: out)
        XCTAssertTrue(damaged.contains("config.json (the settings are not shown) cannot be read as a JSON object"), damaged)
        XCTAssertTrue(damaged.contains("report.json (the consistency result is not shown) cannot be read"), damaged)
        XCTAssertFalse(damaged.contains("<h3>Consistency"))
        let metrics = out.appendingPathComponent("metrics.jsonl")
        try (String(contentsOf: metrics, encoding: .utf8) + "{\"epoch\": 2, \"tra").write(to: metrics, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HTMLReport.html(for: out)) {
            XCTAssertTrue("\($0)".contains("metrics.jsonl line 2 is not a JSON object: the file is damaged"), "\($0)")
            XCTAssertTrue("\($0)".contains("remove that line"), "\($0)")
        }
        try Data([0x7b, 0xff, 0xfe, 0x7d, 0x0a]).write(to: metrics)
        XCTAssertThrowsError(try HTMLReport.html(for: out)) {
            XCTAssertTrue("\($0)".contains("metrics.jsonl is not UTF-8 text: the file is damaged"), "\($0)")
        }
    }

    func testManyEpochsAndAnInterruptedSearch() throws {
        let out = try search(epochs: 3, stopAfterSteps: 8)
        let metrics = out.appendingPathComponent("metrics.jsonl")
        let one = try XCTUnwrap(try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n").first)
        // 60 epochs of records, as a long search leaves them.
        let many = (1...60).map { one.replacingOccurrences(of: "\"epoch\":1,", with: "\"epoch\":\($0),") }.joined(separator: "\n") + "\n"
        try many.write(to: metrics, atomically: true, encoding: .utf8)
        let html = try HTMLReport.html(for: out)
        XCTAssertTrue(html.contains("Not finished"), "an interrupted search says so")
        XCTAssertTrue(html.contains("60 of 3 epochs"), "counts the records")
        XCTAssertEqual(elements(html)["longest polyline"], 60, "every epoch is a point")
        // From two epochs on, how far the derived cells still change (one epoch has nothing to compare).
        XCTAssertTrue(html.contains("Derived cells against the epoch before&apos;s"), html)
        let records = try MetricsLog.read(metrics)
        XCTAssertEqual(RunPlots(records: Array(records.prefix(1))).plots.count + 1, RunPlots(records: Array(records.prefix(2))).plots.count)
    }

    func testTrainingRunAndErrors() throws {
        let run = RunDirectory(url: folder())
        try run.prepare(resume: false)
        let trainer = try Trainer(configuration: TrainingTests.tinyConfiguration(epochs: 2),
                                  train: TrainingTests.synthetic("train", count: 48, seed: 1),
                                  test: TrainingTests.synthetic("test", count: 16, seed: 2), directory: run, stop: StopSignal())
        _ = try trainer.run()
        let html = try String(contentsOf: run.file("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("entrannas training"))
        XCTAssertTrue(html.contains("<h3>Test accuracy"))
        XCTAssertEqual(elements(html)["svg"].map { $0 >= 4 }, true)
        XCTAssertThrowsError(try HTMLReport.html(for: folder().appendingPathComponent("missing"))) {
            XCTAssertTrue("\($0)".contains("does not exist"))
        }
    }
}
