import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import NAS

/// `entrannas run`'s report: Markdown and HTML come from the same data (no Markdown is parsed
/// back), run.json reads back to the same report, and the gap's diagnostics appear when measured.
final class RunReportTests: XCTestCase {
    private func report() -> RunReport {
        var consistency = ConsistencyReport(method: "entrannas", superNetAccuracy: 0.7808, superNetLoss: 0.5314,
                                            derivedAccuracy: 0.2095, derivedLoss: 3.4397, genotype: Genotype.dartsV2.dartsText)
        consistency.derivedAccuracySearchStatistics = 0.1064
        consistency.engineCellAblation = [.init(cell: 0, reduction: false, accuracy: 0.5449),
                                          .init(cell: 1, reduction: true, accuracy: 0.3984)]
        let result = EvaluationResult(loss: 0.3, top1: 89.04, top5: 99.82, count: 10_000)
        return RunReport(method: "entrannas", dataset: "fashion-mnist", searchSettings: "cpu preset, 6 epochs",
                         genotype: .dartsV2, weights: nil, consistency: consistency,
                         training: .init(layers: 5, initChannels: 16, parameters: 0.2, epochs: 1, preset: "quick", result: result),
                         seconds: 640, searchSeconds: 300)
    }

    func testMarkdownAndHTMLCarryTheSameNumbers() throws {
        let document = report().document
        for number in ["78.08%", "20.95%", "10.64%", "54.49%", "39.84%", "89.04%", "99.82%"] {
            XCTAssertTrue(document.markdown.contains(number), number)
            XCTAssertTrue(document.html.contains(number), number)
        }
        XCTAssertTrue(document.markdown.contains("| super-net with Engine-cell 1 (reduce) derived | 39.84% |  |"), document.markdown)
        XCTAssertTrue(document.markdown.contains("(auxiliary head excluded), 1 epoch (quick preset)"), document.markdown)
        XCTAssertTrue(document.html.contains("<code>Genotype(normal="), "code spans become <code>")
        // Well-formed: the page embeds it in XHTML.
        let parser = XMLParser(data: Data(("<div>" + document.html + "</div>").utf8))
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    }

    func testRunJSONReadsBack() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-runreport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        XCTAssertNil(try RunReport.read(from: root), "no run.json yet")
        let markdown = try report().write(to: root)
        XCTAssertEqual(try String(contentsOf: markdown, encoding: .utf8), report().document.markdown)
        let read = try XCTUnwrap(try RunReport.read(from: root))
        XCTAssertEqual(read.document.markdown, report().document.markdown)
        XCTAssertEqual(read.consistency.engineCellAblation, report().consistency.engineCellAblation)
        try AtomicFile.write("{", to: RunReport.url(in: root))
        XCTAssertThrowsError(try RunReport.read(from: root)) { XCTAssertTrue("\($0)".contains("run.json"), "\($0)") }
    }
}
