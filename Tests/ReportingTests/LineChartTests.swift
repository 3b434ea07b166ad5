import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reporting

/// SVG line charts: every document parses as XML, ticks land on 1-2-5 values, and gaps, empty
/// charts and a single x value draw without NaN or a crash.
final class LineChartTests: XCTestCase {
    /// The elements of a parsed SVG, in document order, with their attributes and text.
    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String], text: String)] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append((name, attributes, ""))
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }
    }

    /// Parses `svg`, failing the test when it is not well-formed XML with an `<svg>` root.
    private func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed: \(String(describing: parser.parserError))\n\(svg)", file: file, line: line)
        let root = try XCTUnwrap(collector.elements.first, file: file, line: line)
        XCTAssertEqual(root.name, "svg", file: file, line: line)
        XCTAssertEqual(root.attributes["xmlns"], "http://www.w3.org/2000/svg", file: file, line: line)
        for element in collector.elements {
            for key in ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height"] {
                guard let value = element.attributes[key] else { continue }
                let number = try XCTUnwrap(Double(value), "\(element.name) \(key)=\(value)", file: file, line: line)
                XCTAssertTrue(number.isFinite, file: file, line: line)
            }
        }
        return collector
    }

    private func elements(_ c: Collector, _ name: String) -> [[String: String]] {
        c.elements.filter { $0.name == name }.map(\.attributes)
    }

    private func texts(_ c: Collector) -> [String] {
        c.elements.filter { $0.name == "text" }.map(\.text)
    }

    /// The (x, y) pairs of a polyline's `points`.
    private func points(_ polyline: [String: String]) -> [(Double, Double)] {
        (polyline["points"] ?? "").split(separator: " ").map {
            let xy = $0.split(separator: ",").map { Double($0) ?? .nan }
            return (xy[0], xy[1])
        }
    }

    func testOnePointDrawsADot() throws {
        let chart = LineChart(title: "accuracy", xLabel: "epoch", yLabel: "%",
                              series: [.init(name: "valid", points: [(x: 1, y: 42.5)])], yRange: 0...100)
        let c = try parse(chart.svg())
        let circles = elements(c, "circle")
        XCTAssertEqual(circles.count, 1)
        XCTAssertEqual(elements(c, "polyline").count, 1)
        XCTAssertEqual(points(elements(c, "polyline")[0]).count, 1)
        XCTAssertTrue(Set(texts(c)).isSuperset(of: ["0", "20", "40", "60", "80", "100"]), "\(texts(c))")
        XCTAssertFalse(texts(c).contains("no data"))
    }

    func testManyPointsOnePolylineWithoutMarkers() throws {
        let values = (0..<200).map { (x: Double($0), y: sin(Double($0) / 10)) }
        let chart = LineChart(title: "loss", series: [.init(name: "train", points: values), .init(name: "valid", points: values, dashed: true)])
        let c = try parse(chart.svg(width: 640, height: 400))
        let lines = elements(c, "polyline")
        XCTAssertEqual(lines.map { points($0).count }, [200, 200])
        XCTAssertEqual(elements(c, "circle").count, 0, "no markers above \(LineChart.markerLimit) points")
        XCTAssertNil(lines[0]["stroke-dasharray"])
        XCTAssertNotNil(lines[1]["stroke-dasharray"])
        XCTAssertEqual(lines[0]["stroke"], LineChart.palette[0])
        XCTAssertEqual(lines[1]["stroke"], LineChart.palette[1])
        // Points go left to right and stay inside the drawing.
        let xs = points(lines[0]).map(\.0)
        XCTAssertEqual(xs, xs.sorted())
        XCTAssertTrue(points(lines[0]).allSatisfy { $0.0 > 0 && $0.0 < 640 && $0.1 > 0 && $0.1 < 400 })
        XCTAssertTrue(texts(c).contains("train") && texts(c).contains("valid"))
    }

    func testNonFiniteValuesLeaveGaps() throws {
        let raw: [(x: Double, y: Double)] = [(1, 0.1), (2, .nan), (3, 0.3), (4, 0.4), (5, .infinity), (.nan, 0.5), (7, 0.7)]
        let chart = LineChart(title: "gaps", series: [.init(name: "w", points: raw)])
        let c = try parse(chart.svg())
        let lines = elements(c, "polyline")
        XCTAssertEqual(lines.map { points($0).count }, [1, 2, 1], "runs split at each non-finite point")
        XCTAssertEqual(lines.map { points($0).count }.reduce(0, +), raw.filter { $0.x.isFinite && $0.y.isFinite }.count)
        XCTAssertEqual(elements(c, "circle").count, 4)
        XCTAssertFalse(chart.svg().lowercased().contains("nan"))
    }

    /// Finite values whose range is not (a damaged metrics.jsonl) still draw a valid chart:
    /// this once trapped converting an infinite tick exponent to Int.
    func testExtremeFiniteValuesDraw() throws {
        let big = Double.greatestFiniteMagnitude
        for raw: [(x: Double, y: Double)] in [[(1, big), (2, -big), (3, 0)], [(-big, 1), (big, 2)], [(1, 1e300), (2, 1e301)]] {
            for logY in [false, true] {
                let chart = LineChart(title: "extreme", series: [.init(name: "w", points: raw)], logY: logY)
                let c = try parse(chart.svg())
                let drawn = elements(c, "polyline").map { points($0).count }.reduce(0, +)
                XCTAssertEqual(drawn, logY ? raw.filter { $0.y > 0 }.count : raw.count, "\(raw), log \(logY)")
            }
        }
    }

    func testEmptyChartsSayNoData() throws {
        for chart in [LineChart(title: "nothing"),
                      LineChart(title: "empty series", series: [.init(name: "a", points: [LineChart.Point]())]),
                      LineChart(title: "all NaN", series: [.init(name: "a", points: [(x: 1, y: .nan)])], logY: true),
                      LineChart(title: "log of zero", series: [.init(name: "lr", points: [(x: 1, y: 0)])], logY: true)] {
            let c = try parse(chart.svg())
            XCTAssertTrue(texts(c).contains("no data"), chart.title)
            XCTAssertEqual(elements(c, "polyline").count, 0, chart.title)
        }
    }

    func testSpecialCharactersAreEscaped() throws {
        let name = #"a<b & c>"d" 'e'"#
        let chart = LineChart(title: name, xLabel: "x<1", yLabel: "y&z",
                              series: [.init(name: name, points: [(x: 0, y: 1), (x: 1, y: 2)], colour: "#123\"")])
        let svg = chart.svg()
        XCTAssertFalse(svg.contains("a<b"))
        XCTAssertTrue(svg.contains("a&lt;b &amp; c&gt;&quot;d&quot; &apos;e&apos;"))
        let c = try parse(svg)
        XCTAssertEqual(texts(c).filter { $0 == name }.count, 2, "title and legend")
        XCTAssertTrue(texts(c).contains("x<1") && texts(c).contains("y&z"))
        XCTAssertEqual(elements(c, "polyline").first?["stroke"], "#123\"")
        let grid = ChartGrid(title: name, charts: [chart, chart], columns: 2)
        XCTAssertTrue(texts(try parse(grid.svg())).contains(name))
    }

    func testSingleXValueIsPadded() throws {
        let chart = LineChart(title: "one epoch", series: [
            .init(name: "a", points: [(x: 1, y: 0.2), (x: 1, y: 0.6)]),
            .init(name: "b", points: [(x: 1, y: 0.5)]),
        ], yRange: 0...1)
        let svg = chart.svg()
        XCTAssertFalse(svg.lowercased().contains("nan") || svg.lowercased().contains("inf"))
        let c = try parse(svg)
        let xs = elements(c, "circle").compactMap { $0["cx"].flatMap(Double.init) }
        XCTAssertEqual(xs.count, 3)
        XCTAssertEqual(Set(xs).count, 1, "same x, same column")
        XCTAssertTrue(xs[0] > 60 && xs[0] < 400, "mid-plot, not at 0: \(xs)")
        // Whole-number x ticks around epoch 1, not 0.5 steps.
        XCTAssertTrue(texts(c).contains("0") && texts(c).contains("2") && !texts(c).contains("0.5"), "\(texts(c))")
    }

    func testConstantSeriesAndLogAxis() throws {
        let flat = LineChart(title: "flat", series: [.init(name: "w", points: (1...5).map { (x: Double($0), y: 0.125) })])
        XCTAssertEqual(elements(try parse(flat.svg()), "polyline").count, 1)

        let lr = LineChart(title: "learning rate", yLabel: "lr", series: [
            .init(name: "w", points: (0..<50).map { (x: Double($0), y: 0.001 + 0.024 * (1 + cos(Double.pi * Double($0) / 50)) / 2) }),
        ], logY: true)
        let c = try parse(lr.svg())
        XCTAssertEqual(elements(c, "polyline").map { points($0).count }, [50])
        for label in ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05"] {
            XCTAssertTrue(texts(c).contains(label), "\(label) in \(texts(c))")
        }
        XCTAssertFalse(texts(c).contains("0.1"), "the axis stops at the 1-2-5 value above the data")
    }

    func testLinearTicksAreNice() {
        let unit = ChartAxis.linear(lower: 0, upper: 1, fixed: true, targetCount: 5)
        XCTAssertEqual(unit.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(unit.ticks.map(unit.label), ["0", "0.2", "0.4", "0.6", "0.8", "1"])

        let fitted = ChartAxis.linear(lower: 0.013, upper: 0.87, fixed: false, targetCount: 5)
        XCTAssertEqual(fitted.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(fitted.lower, 0)
        XCTAssertEqual(fitted.upper, 1)

        let inside = ChartAxis.linear(lower: 0.013, upper: 0.87, fixed: true, targetCount: 5)
        XCTAssertEqual(inside.ticks, [0.2, 0.4, 0.6, 0.8])
        XCTAssertEqual(inside.lower, 0.013)

        let tenths = ChartAxis.linear(lower: 0, upper: 1, fixed: true, targetCount: 10)
        XCTAssertEqual(tenths.ticks, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
        XCTAssertEqual(tenths.ticks.map(tenths.label)[3], "0.3")

        XCTAssertEqual(ChartAxis.linear(lower: 0, upper: 100, fixed: true, targetCount: 5).ticks, [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(ChartAxis.linear(lower: 1, upper: 50, fixed: false, targetCount: 4).ticks, [0, 10, 20, 30, 40, 50])
        XCTAssertEqual(ChartAxis.linear(lower: 1, upper: 50, fixed: false, targetCount: 2).ticks, [0, 50], "0...50 beats 0, 20, 40, 60")
        XCTAssertEqual(ChartAxis.linear(lower: 37, upper: 99.6, fixed: false, targetCount: 5).ticks, [20, 40, 60, 80, 100])
        XCTAssertEqual(ChartAxis.linear(lower: -0.3, upper: 0.7, fixed: false, targetCount: 4).ticks, [-0.5, 0, 0.5, 1])
        XCTAssertEqual(ChartAxis.linear(lower: 1, upper: 3, fixed: false, targetCount: 8, wholeNumbers: true).ticks, [1, 2, 3])

        let point = ChartAxis.linear(lower: 1, upper: 1, fixed: false, targetCount: 5, wholeNumbers: true)
        XCTAssertEqual(point.ticks, [0, 1, 2])
        XCTAssertEqual(point.fraction(1), 0.5)
    }

    func testLogTicksAreDecades() {
        let lr = ChartAxis.logarithmic(lower: 1e-4, upper: 1e-1, fixed: false, targetCount: 5)
        XCTAssertEqual(lr.ticks, [1e-4, 1e-3, 1e-2, 1e-1])
        XCTAssertEqual(lr.ticks.map(lr.label), ["1e-4", "0.001", "0.01", "0.1"])
        XCTAssertEqual(lr.fraction(1e-4), 0)
        XCTAssertEqual(lr.fraction(1e-1), 1, accuracy: 1e-12)

        let narrow = ChartAxis.logarithmic(lower: 0.003, upper: 0.025, fixed: false, targetCount: 5)
        XCTAssertEqual(narrow.ticks, [0.002, 0.005, 0.01, 0.02, 0.05])
        XCTAssertEqual([narrow.lower, narrow.upper], [0.002, 0.05])

        let single = ChartAxis.logarithmic(lower: 0.01, upper: 0.01, fixed: false, targetCount: 5)
        XCTAssertEqual([single.lower, single.upper], [0.001, 0.1])

        let wide = ChartAxis.logarithmic(lower: 1e-8, upper: 1, fixed: false, targetCount: 4)
        XCTAssertEqual(wide.ticks, [1e-8, 1e-6, 1e-4, 1e-2, 1])
    }

    func testCompactNumbers() {
        XCTAssertEqual(LineChart.format(0.1 + 0.2), "0.3")
        XCTAssertEqual(LineChart.format(0.025), "0.025")
        XCTAssertEqual(LineChart.format(12.345), "12.3")
        XCTAssertEqual(LineChart.format(1000), "1000")
        XCTAssertEqual(LineChart.format(2.5e-5), "2.5e-5")
        XCTAssertEqual(LineChart.format(9.9999e-5), "1e-4")
        XCTAssertEqual(LineChart.format(-0.0), "0")
        XCTAssertEqual(LineChart.format(1.0004, step: 0.0002), "1.0004")
    }

    func testManySeriesCapTheLegendOrHideIt() throws {
        let series = (0..<14).map { i in LineChart.Series(name: "op\(i)", points: [(x: 0, y: Double(i)), (x: 1, y: Double(i) + 1)]) }
        let capped = try parse(LineChart(title: "many", series: series).svg())
        XCTAssertEqual(elements(capped, "polyline").count, 14)
        XCTAssertTrue(texts(capped).contains("+5 more"))
        XCTAssertTrue(texts(capped).contains("op8") && !texts(capped).contains("op9"))
        XCTAssertEqual(elements(capped, "polyline")[10]["stroke"], LineChart.palette[0], "palette wraps")

        let bare = try parse(LineChart(title: "many", series: series, legend: false).svg())
        XCTAssertFalse(texts(bare).contains { $0.hasPrefix("op") })
    }

    func testGridOfSmallCharts() throws {
        let ops = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]
        let charts = (0..<14).map { edge in
            LineChart(title: "edge \(edge)", series: ops.enumerated().map { k, op in
                .init(name: op, points: (1...10).map { (x: Double($0), y: Double((k + edge) % 8 + 1) / 36 * Double($0) / 10) })
            }, yRange: 0...1, legend: false)
        }
        let grid = ChartGrid(title: "op weights", charts: charts, columns: 4)
        let c = try parse(grid.svg(cellWidth: 200, cellHeight: 150))
        let root = c.elements[0].attributes
        XCTAssertEqual(root["width"], "800")
        XCTAssertEqual(elements(c, "polyline").count, 14 * 8)
        XCTAssertEqual(elements(c, "g").count, 14)
        XCTAssertEqual(texts(c).filter { $0.hasPrefix("edge ") }.count, 14)
        XCTAssertEqual(texts(c).filter { ops.contains($0) }.count, 8, "one shared legend entry per op")
        // The same op has the same colour on every edge.
        let strokes = elements(c, "polyline").map { $0["stroke"] ?? "" }
        XCTAssertEqual(Set(stride(from: 3, to: strokes.count, by: 8).map { strokes[$0] }), [LineChart.palette[3]])

        XCTAssertTrue(texts(try parse(ChartGrid(charts: []).svg())).contains("no data"))
    }
}
