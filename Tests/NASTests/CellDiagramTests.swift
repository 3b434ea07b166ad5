import Foundation
import XCTest
@testable import NAS

/// Cell diagrams: the node and edge sets of the DOT source, for a DARTS and a DST genotype.
final class CellDiagramTests: XCTestCase {
    private func edgeSet(_ d: CellDiagram) -> [String] {
        d.edges.map { "\($0.from)->\($0.to)" + ($0.label.map { ":" + $0 } ?? "") }.sorted()
    }

    func testDartsV2NormalCell() {
        let d = CellDiagram(genotype: .dartsV2, cell: .normal)
        XCTAssertEqual(edgeSet(d), [
            "0->3:dil_conv_3x3", "0->c_{k}", "1->c_{k}", "2->c_{k}", "3->c_{k}",
            "c_{k-1}->0:sep_conv_3x3", "c_{k-1}->1:sep_conv_3x3", "c_{k-1}->2:sep_conv_3x3",
            "c_{k-2}->0:sep_conv_3x3", "c_{k-2}->1:sep_conv_3x3", "c_{k-2}->2:skip_connect", "c_{k-2}->3:skip_connect",
        ])
        let dot = d.dot
        XCTAssertTrue(dot.hasPrefix("digraph normal {"))
        XCTAssertEqual(dot.components(separatedBy: "->").count - 1, 12)
        for node in ["c_{k-2}", "c_{k-1}", "0", "1", "2", "3", "c_{k}"] { XCTAssertTrue(dot.contains("\"\(node)\" [fillcolor=")) }
    }

    func testDSTCellWithFreeInDegreeAndSeveralOpsOnOneEdge() throws {
        let g = try Genotype(dartsText: """
            Genotype(normal=[[('sep_conv_3x3', 0)], [('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 2)]], \
            normal_concat=range(2, 4), reduce=[[('max_pool_3x3', 1)], [('avg_pool_3x3', 2)]], reduce_concat=range(2, 4))
            """)
        let d = CellDiagram(genotype: g, cell: .normal)
        XCTAssertEqual(edgeSet(d), ["0->1:dil_conv_3x3", "0->c_{k}", "1->c_{k}", "c_{k-2}->0:sep_conv_3x3",
                                    "c_{k-2}->1:sep_conv_3x3", "c_{k-2}->1:skip_connect"])
        XCTAssertFalse(d.dot.contains("\"2\" [fillcolor"), "two intermediate nodes only")
    }

    func testWritesDOTFilesAndRendersWhenGraphvizIsThere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-cells-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CellDiagrams.write(.dartsV2, to: folder).map(\.lastPathComponent)
        XCTAssertTrue(files.contains("normal.dot") && files.contains("reduce.dot"))
        if CellDiagrams.graphviz != nil {
            XCTAssertEqual(Set(files), ["normal.dot", "normal.svg", "normal.png", "reduce.dot", "reduce.svg", "reduce.png"])
            let svg = try String(contentsOf: folder.appendingPathComponent("normal.svg"), encoding: .utf8)
            XCTAssertTrue(svg.contains("<svg") && svg.contains("sep_conv_3x3"))
        }
    }

    /// A disk that fills up while the diagrams are rendered: one line naming the image and the
    /// system's reason, and no image cut short (`dot` writing its own file left a truncated SVG
    /// and exited 0).
    func testAFullDiskLeavesNoTruncatedImage() throws {
        guard CellDiagrams.graphviz != nil else { throw XCTSkip("graphviz's dot is not installed") }
        let disk = try FullDisk(megabytes: 1)
        let folder = disk.folder("cells")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        disk.fill(leaving: 8192)  // room for the DOT file, not for its 9 KB SVG
        XCTAssertThrowsError(try CellDiagrams.write(.dartsV2, to: folder)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("normal.svg") && text.contains("No space left on device"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(left.contains { $0.hasSuffix(".svg") || $0.hasSuffix(".png") || $0.contains(".tmp") }, "\(left)")
    }

    /// A `dot` that takes too long is stopped and named, and one that writes more errors than a
    /// pipe holds before it exits cannot hang the render (stand-in scripts for Graphviz).
    func testASlowOrChattyDotIsStoppedOrHeard() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("normal.dot")
        try "digraph {}".write(to: source, atomically: true, encoding: .utf8)
        func script(_ name: String, _ body: String) throws -> String {
            let url = folder.appendingPathComponent(name)
            try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            return url.path
        }
        let target = folder.appendingPathComponent("normal.svg")
        let slow = try script("slow", "exec sleep 30")  // one process, as dot is
        let began = Date()
        XCTAssertThrowsError(try CellDiagrams.renderFile(dot: slow, source: source, format: "svg", target: target, seconds: 0.5)) {
            XCTAssertTrue("\($0)".contains("did not lay out") && "\($0)".contains("within 0 s"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(began), 20, "the slow dot was not stopped")
        let chatty = try script("chatty", "yes x | head -c 300000 >&2; echo 'Error: no layout' >&2; exit 3")
        XCTAssertThrowsError(try CellDiagrams.renderFile(dot: chatty, source: source, format: "svg", target: target, seconds: 20)) {
            XCTAssertTrue("\($0)".contains("graphviz could not render"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path))
    }
}
