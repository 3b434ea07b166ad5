import Foundation

/// A line chart written as a self-contained SVG 1.1 string, so run reports need no plotting
/// library and the chart inlines into HTML as is. Non-finite points leave a gap in the line
/// instead of breaking the drawing; a chart without data says "no data".
public struct LineChart: Sendable {
    /// One (x, y) sample. A struct rather than a tuple so that series can be stored as JSON.
    public struct Point: Codable, Sendable, Equatable {
        /// Horizontal position (epoch or step).
        public var x: Double
        /// Vertical position; NaN or infinity leaves a gap.
        public var y: Double

        /// A point at (x, y).
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// One line. The colour is `LineChart.palette[index % palette.count]` unless set, so the
    /// same op keeps its colour on every chart when series are given in a fixed op order.
    public struct Series: Sendable {
        /// Legend label (an op name, "train", "valid").
        public var name: String
        /// Samples in drawing order.
        public var points: [Point]
        /// Draws the line dashed (validation next to training, for example).
        public var dashed: Bool
        /// Any SVG colour (`"#1f77b4"`, `"teal"`); nil takes the palette colour.
        public var colour: String?

        /// A series of `Point`s.
        public init(name: String, points: [Point], dashed: Bool = false, colour: String? = nil) {
            self.name = name
            self.points = points
            self.dashed = dashed
            self.colour = colour
        }

        /// A series from (x, y) tuples.
        public init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false, colour: String? = nil) {
            self.init(name: name, points: points.map { Point(x: $0.x, y: $0.y) }, dashed: dashed, colour: colour)
        }
    }

    /// Tableau's ten categorical colours: the eight DARTS ops, in `Primitive.darts` order, get
    /// eight distinct ones.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    /// Series with at most this many finite points get a dot per point, so a one-epoch run
    /// still shows something.
    public static let markerLimit = 20
    /// Legend rows drawn at most; the last row then says how many more series there are.
    public static let legendLimit = 10

    /// Drawn above the plot; empty for none.
    public var title: String
    /// Label under the x axis; empty for none.
    public var xLabel: String
    /// Label beside the y axis; empty for none.
    public var yLabel: String
    /// The lines, drawn in order.
    public var series: [Series]
    /// A fixed y axis (0...1 for op weights, 0...100 for accuracy) so charts compare at a
    /// glance; values outside it are drawn at its edge. Nil fits the axis to the data.
    public var yRange: ClosedRange<Double>?
    /// A base-10 y axis, for learning rates; values ≤ 0 are skipped like NaN.
    public var logY: Bool
    /// Off for many series (8 ops × 14 edges), where a legend would hide the plot.
    public var legend: Bool

    /// A chart; by default the y axis fits the data and a legend is drawn.
    public init(title: String, xLabel: String = "", yLabel: String = "", series: [Series] = [],
                yRange: ClosedRange<Double>? = nil, logY: Bool = false, legend: Bool = true) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
        self.logY = logY
        self.legend = legend
    }

    /// The colour of series `index`: its own, else the palette's.
    public func colour(ofSeries index: Int) -> String {
        series[index].colour ?? Self.palette[index % Self.palette.count]
    }

    /// The whole chart as an `<svg>` document of the given size in pixels.
    public func svg(width: Int = 480, height: Int = 300) -> String {
        let (w, h) = (max(width, 60), max(height, 60))
        return SVGMarkup.document(width: w, height: h, body: elements(width: Double(w), height: Double(h)))
    }

    // MARK: Layout

    /// The drawn points of one series: runs of usable points, split where a point is not.
    func segments(of series: Series) -> [[Point]] {
        var runs: [[Point]] = [], current: [Point] = []
        for p in series.points {
            if p.x.isFinite && p.y.isFinite && (!logY || p.y > 0) {
                current.append(p)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// The chart's elements in a `width` × `height` box at the origin; the grid places the same
    /// elements in its cells.
    func elements(width: Double, height: Double) -> [String] {
        let runs = series.map(segments(of:))
        let all = runs.flatMap { $0.flatMap { $0 } }
        var out: [String] = []
        let titleHeight = title.isEmpty ? 8.0 : 24.0
        if !title.isEmpty {
            out.append(SVGMarkup.text(title, x: width / 2, y: 16, anchor: "middle", extra: #"font-size="13" font-weight="bold""#))
        }

        // Axes first: the y tick labels decide the left margin.
        let xs = all.map(\.x), ys = all.map(\.y)
        let bottom = xLabel.isEmpty ? 22.0 : 38.0
        let plotHeight = max(height - titleHeight - bottom, 10)
        let yAxis: ChartAxis
        if logY {
            let fixed = yRange.flatMap { $0.lowerBound > 0 ? $0 : nil }
            yAxis = ChartAxis.logarithmic(lower: fixed?.lowerBound ?? ys.min() ?? 1, upper: fixed?.upperBound ?? ys.max() ?? 10,
                                     fixed: fixed != nil, targetCount: Self.tickCount(plotHeight, per: 40))
        } else {
            yAxis = ChartAxis.linear(lower: yRange?.lowerBound ?? ys.min() ?? 0, upper: yRange?.upperBound ?? ys.max() ?? 1,
                                fixed: yRange != nil, targetCount: Self.tickCount(plotHeight, per: 40))
        }
        let yLabelWidth = yAxis.ticks.map { Double(yAxis.label($0).count) }.max() ?? 1
        let left = yLabelWidth * SVGMarkup.characterWidth + 10 + (yLabel.isEmpty ? 4 : 20)

        let entries = legend && !all.isEmpty ? legendEntries() : []
        let legendWidth = entries.isEmpty ? 0 : min(Double(entries.map(\.name.count).max() ?? 0) * SVGMarkup.characterWidth + 34, width * 0.35)
        let right = entries.isEmpty ? 14.0 : legendWidth + 8
        let plotWidth = max(width - left - right, 10)
        let wholeX = xs.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
        let xAxis = ChartAxis.linear(lower: xs.min() ?? 0, upper: xs.max() ?? 1, fixed: false,
                                targetCount: Self.tickCount(plotWidth, per: 70), wholeNumbers: wholeX)

        let plot = (left: left, top: titleHeight, right: left + plotWidth, bottom: titleHeight + plotHeight)
        func px(_ x: Double) -> Double { plot.left + xAxis.fraction(x) * plotWidth }
        func py(_ y: Double) -> Double { plot.bottom - min(max(yAxis.fraction(y), 0), 1) * plotHeight }

        // Gridlines and tick labels.
        for t in yAxis.ticks {
            let y = py(t)
            out.append(SVGMarkup.line(plot.left, y, plot.right, y, stroke: "#e3e3e3"))
            out.append(SVGMarkup.text(yAxis.label(t), x: plot.left - 6, y: y + 4, anchor: "end"))
        }
        for t in xAxis.ticks {
            let x = px(t)
            out.append(SVGMarkup.line(x, plot.top, x, plot.bottom, stroke: "#e3e3e3"))
            out.append(SVGMarkup.text(xAxis.label(t), x: x, y: plot.bottom + 15, anchor: "middle"))
        }
        out.append(SVGMarkup.line(plot.left, plot.bottom, plot.right, plot.bottom, stroke: "#333333"))
        out.append(SVGMarkup.line(plot.left, plot.top, plot.left, plot.bottom, stroke: "#333333"))
        if !xLabel.isEmpty {
            out.append(SVGMarkup.text(xLabel, x: plot.left + plotWidth / 2, y: plot.bottom + 32, anchor: "middle"))
        }
        if !yLabel.isEmpty {
            let (x, y) = (14.0, plot.top + plotHeight / 2)
            out.append(SVGMarkup.text(yLabel, x: x, y: y, anchor: "middle", extra: "transform=\"rotate(-90 \(SVGMarkup.number(x)) \(SVGMarkup.number(y)))\""))
        }

        if all.isEmpty {
            out.append(SVGMarkup.text("no data", x: plot.left + plotWidth / 2, y: plot.top + plotHeight / 2 + 4, anchor: "middle",
                                fill: "#888888", extra: #"font-size="13""#))
            return out
        }

        for (index, segments) in runs.enumerated() {
            let colour = MarkupText.escape(colour(ofSeries: index))
            let dash = series[index].dashed ? #" stroke-dasharray="6,3""# : ""
            let markers = segments.reduce(0) { $0 + $1.count } <= Self.markerLimit
            for run in segments {
                let points = run.map { "\(SVGMarkup.number(px($0.x))),\(SVGMarkup.number(py($0.y)))" }.joined(separator: " ")
                out.append("<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-linejoin=\"round\"\(dash)/>")
                // A lone point between gaps draws no line, so it always gets a dot.
                if markers || run.count == 1 {
                    for p in run {
                        out.append("<circle cx=\"\(SVGMarkup.number(px(p.x)))\" cy=\"\(SVGMarkup.number(py(p.y)))\" r=\"2.5\" fill=\"\(colour)\"/>")
                    }
                }
            }
        }

        for (row, entry) in entries.enumerated() {
            let x = plot.right + 8, y = plot.top + 6 + Double(row) * 15
            guard y + 8 <= height else { break }
            if let colour = entry.colour {
                let dash = entry.dashed ? #" stroke-dasharray="6,3""# : ""
                out.append("<line x1=\"\(SVGMarkup.number(x))\" y1=\"\(SVGMarkup.number(y))\" x2=\"\(SVGMarkup.number(x + 18))\" y2=\"\(SVGMarkup.number(y))\" stroke=\"\(MarkupText.escape(colour))\" stroke-width=\"2\"\(dash)/>")
            }
            let room = Int((legendWidth - 26) / SVGMarkup.characterWidth)
            out.append(SVGMarkup.text(SVGMarkup.truncate(entry.name, to: room), x: x + 24, y: y + 4, anchor: "start"))
        }
        return out
    }

    /// Legend rows: every series up to `legendLimit`, else the first ones and "+N more".
    func legendEntries() -> [(name: String, colour: String?, dashed: Bool)] {
        let rows = series.indices.map { (name: series[$0].name, colour: Optional(colour(ofSeries: $0)), dashed: series[$0].dashed) }
        guard rows.count > Self.legendLimit else { return rows }
        return Array(rows.prefix(Self.legendLimit - 1)) + [(name: "+\(rows.count - Self.legendLimit + 1) more", colour: nil, dashed: false)]
    }

    /// About one tick per `per` pixels, 2 to 8 of them.
    static func tickCount(_ length: Double, per: Double) -> Int {
        min(max(Int(length / per), 2), 8)
    }
}

/// Several charts in one SVG, `columns` to a row, e.g. the op weights of the 14 edges of a
/// cell as 14 small charts. One shared legend below them replaces per-chart legends, which
/// would not fit in small cells.
public struct ChartGrid: Sendable {
    /// Drawn above the grid; empty for none.
    public var title: String
    /// The charts, row by row.
    public var charts: [LineChart]
    /// Charts per row (at least 1).
    public var columns: Int
    /// Draws one legend under the grid with every distinct series name (and its colour).
    public var sharedLegend: Bool

    /// A grid of `charts`, four to a row by default, with one shared legend.
    public init(title: String = "", charts: [LineChart], columns: Int = 4, sharedLegend: Bool = true) {
        self.title = title
        self.charts = charts
        self.columns = max(columns, 1)
        self.sharedLegend = sharedLegend
    }

    /// The grid as one `<svg>` document; each chart gets a `cellWidth` × `cellHeight` cell.
    public func svg(cellWidth: Int = 240, cellHeight: Int = 170) -> String {
        let (cw, ch) = (Double(max(cellWidth, 60)), Double(max(cellHeight, 60)))
        let rows = (charts.count + columns - 1) / columns
        let titleHeight = title.isEmpty ? 0.0 : 28.0
        let width = cw * Double(max(min(columns, charts.count), 1))
        let entries = sharedLegend ? legendEntries() : []
        let perRow = max(Int(width / 150), 1)
        let legendHeight = entries.isEmpty ? 0 : Double((entries.count + perRow - 1) / perRow) * 16 + 10
        let height = titleHeight + ch * Double(rows) + legendHeight

        var body: [String] = []
        if !title.isEmpty {
            body.append(SVGMarkup.text(title, x: width / 2, y: 19, anchor: "middle", extra: #"font-size="15" font-weight="bold""#))
        }
        for (index, chart) in charts.enumerated() {
            let x = Double(index % columns) * cw, y = titleHeight + Double(index / columns) * ch
            body.append("<g transform=\"translate(\(SVGMarkup.number(x)) \(SVGMarkup.number(y)))\">")
            body += chart.elements(width: cw, height: ch)
            body.append("</g>")
        }
        if charts.isEmpty {
            body.append(SVGMarkup.text("no data", x: width / 2, y: titleHeight + ch / 2, anchor: "middle", fill: "#888888", extra: #"font-size="13""#))
        }
        for (index, entry) in entries.enumerated() {
            let x = 10 + Double(index % perRow) * 150, y = titleHeight + ch * Double(rows) + 12 + Double(index / perRow) * 16
            let dash = entry.dashed ? #" stroke-dasharray="6,3""# : ""
            body.append("<line x1=\"\(SVGMarkup.number(x))\" y1=\"\(SVGMarkup.number(y))\" x2=\"\(SVGMarkup.number(x + 18))\" y2=\"\(SVGMarkup.number(y))\" stroke=\"\(MarkupText.escape(entry.colour))\" stroke-width=\"2\"\(dash)/>")
            body.append(SVGMarkup.text(SVGMarkup.truncate(entry.name, to: 19), x: x + 24, y: y + 4, anchor: "start"))
        }
        return SVGMarkup.document(width: Int(width.rounded(.up)), height: Int(height.rounded(.up)), body: body)
    }

    /// Distinct series names over all charts, first colour seen for each.
    func legendEntries() -> [(name: String, colour: String, dashed: Bool)] {
        var seen = Set<String>(), out: [(name: String, colour: String, dashed: Bool)] = []
        for chart in charts {
            for (index, s) in chart.series.enumerated() where seen.insert(s.name).inserted {
                out.append((s.name, chart.colour(ofSeries: index), s.dashed))
            }
        }
        return out
    }
}

/// One chart axis: its drawn range and tick values.
struct ChartAxis: Equatable {
    var lower: Double
    var upper: Double
    var ticks: [Double]
    var logarithmic: Bool
    /// The tick spacing, for labels with just enough decimals; nil on a log axis.
    var step: Double?

    /// Where `value` lies on the axis, 0 at `lower` and 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        if logarithmic { return (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) }
        return (value - lower) / (upper - lower)
    }

    func label(_ value: Double) -> String {
        LineChart.format(value, step: step)
    }

    /// Ticks at 1, 2 or 5 × a power of ten, at most `targetCount + 2` of them. A fitted axis
    /// (`fixed` false) widens to the ticks around the data, as little as it can (0.013...0.87
    /// draws as 0...1, epochs 1...50 as 0...50); a fixed one keeps its range and shows the ticks
    /// inside it. Ties go to the finer step. `wholeNumbers` keeps the step at 1 or more, for
    /// epochs. An empty range is padded, never divided by.
    static func linear(lower: Double, upper: Double, fixed: Bool, targetCount: Int, wholeNumbers: Bool = false) -> ChartAxis {
        var (lo, hi) = (min(lower, upper), max(lower, upper))
        if !(lo.isFinite && hi.isFinite) { (lo, hi) = (0, 1) }
        // Two finite ends whose difference is not (±1e308 in a damaged metrics.jsonl): the
        // middle half of the range, the rest drawn at the edges.
        if !(hi - lo).isFinite { (lo, hi) = (lo / 2, hi / 2) }
        if hi - lo <= abs(hi) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        let most = max(targetCount, 1) + 2
        let smallest = Int(floor(log10((hi - lo) / Double(most))))
        var best: ChartAxis?
        for exponent in smallest...(smallest + 2) where !(wholeNumbers && exponent < 0) {
            for mantissa in [1, 2, 5] {
                let step = Double(mantissa) * power(exponent)
                guard abs(lo / step) < 1e12, abs(hi / step) < 1e12 else { continue }
                let first = fixed ? Int(ceil(lo / step - 1e-9)) : Int(floor(lo / step + 1e-9))
                let last = fixed ? Int(floor(hi / step + 1e-9)) : Int(ceil(hi / step - 1e-9))
                guard last - first + 1 <= most else { continue }
                // Tick i is i × mantissa × 10^exponent, divided rather than multiplied by a
                // negative power so that 0.3 prints as 0.3, not 0.30000000000000004.
                func tick(_ i: Int) -> Double {
                    exponent >= 0 ? Double(i * mantissa) * power(exponent) : Double(i * mantissa) / power(-exponent)
                }
                let ticks = first <= last ? (first...last).map(tick) : []
                let axis = fixed ? ChartAxis(lower: lo, upper: hi, ticks: ticks, logarithmic: false, step: step)
                    : ChartAxis(lower: tick(first), upper: tick(last), ticks: ticks, logarithmic: false, step: step)
                if let b = best, axis.upper - axis.lower >= (b.upper - b.lower) * (1 - 1e-9) { continue }
                best = axis
            }
        }
        return best ?? ChartAxis(lower: lo, upper: hi, ticks: [lo, hi], logarithmic: false, step: nil)
    }

    /// Ticks at powers of ten (every k-th decade when there are many), plus 2 and 5 × them when
    /// the axis spans two decades or less. A fitted axis widens to the ticks around the data.
    static func logarithmic(lower: Double, upper: Double, fixed: Bool, targetCount: Int) -> ChartAxis {
        var (lo, hi) = (min(lower, upper), max(lower, upper))
        if !(lo > 0 && hi.isFinite) { (lo, hi) = (1, 10) }
        var (low, high) = (Int(floor(log10(lo) + 1e-9)), Int(ceil(log10(hi) - 1e-9)))
        if high <= low { (low, high) = (low - (fixed ? 0 : 1), low + 1) }
        if high - low <= 2 {
            let candidates = (low...high).flatMap { k in [1, 2, 5].map { m in k >= 0 ? Double(m) * power(k) : Double(m) / power(-k) } }
            if !fixed {
                let below = candidates.last { $0 <= lo * (1 + 1e-9) } ?? decade(low)
                let above = candidates.first { $0 >= hi * (1 - 1e-9) } ?? decade(high)
                (lo, hi) = below < above ? (below, above) : (decade(low), decade(high))
            }
            let ticks = candidates.filter { $0 >= lo * (1 - 1e-9) && $0 <= hi * (1 + 1e-9) }
            return ChartAxis(lower: lo, upper: hi, ticks: ticks, logarithmic: true, step: nil)
        }
        if !fixed { (lo, hi) = (decade(low), decade(high)) }
        let every = max(Int(ceil(Double(high - low) / Double(max(targetCount, 1)))), 1)
        let ticks = stride(from: low, through: high, by: every).map(decade).filter { $0 >= lo * (1 - 1e-9) && $0 <= hi * (1 + 1e-9) }
        return ChartAxis(lower: lo, upper: hi, ticks: ticks, logarithmic: true, step: nil)
    }

    private static func power(_ exponent: Int) -> Double { pow(10, Double(exponent)) }
    private static func decade(_ k: Int) -> Double { k >= 0 ? power(k) : 1 / power(-k) }
}

extension LineChart {
    /// A short label for a number: up to 3 significant digits ("0.025", "1e-4", "12.5"), or,
    /// given the tick `step`, just the decimals the step needs, so 1.0004 next to 1.0002 stays
    /// distinct. Never "0.30000000000000004" or "-0".
    public static func format(_ value: Double, step: Double? = nil) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        let magnitude = abs(value)
        if magnitude == 0 || (step.map { magnitude < $0 * 1e-6 } ?? false) { return "0" }
        if magnitude >= 1e-3 && magnitude < 1e6 {
            let decimals: Int
            if let step, step > 0 {
                decimals = max(0, -Int(floor(log10(step) + 1e-9)))
            } else {
                decimals = max(0, 2 - Int(floor(log10(magnitude))))
            }
            return trimmed(String(format: "%.\(min(decimals, 12))f", value))
        }
        let exponent = Int(floor(log10(magnitude)))
        var mantissa = value / pow(10, Double(exponent))
        var shown = exponent
        if abs(mantissa) >= 9.995 { mantissa /= 10; shown += 1 } // 9.999e-5 rounds to 1e-4
        return trimmed(String(format: "%.2f", mantissa)) + "e\(shown)"
    }

    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text == "-0" ? "0" : text }
        var t = text
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t == "-0" ? "0" : t
    }
}

/// SVG text pieces shared by `LineChart` and `ChartGrid`.
enum SVGMarkup {
    /// Average width of an 11 px sans-serif character, to size margins without measuring text.
    static let characterWidth = 6.2

    static func document(width: Int, height: Int, body: [String]) -> String {
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">",
            "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>",
        ]
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String, fill: String = "#333333", extra: String = "") -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(extra.isEmpty ? "" : " " + extra)>\(MarkupText.escape(content))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>"
    }

    /// A coordinate to 0.1 px; a non-finite one (which layout should never make) becomes 0
    /// so the document stays valid.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded()
        if tenths == 0 { return "0" }
        return String(format: tenths.truncatingRemainder(dividingBy: 10) == 0 ? "%.0f" : "%.1f", tenths / 10)
    }

    /// Cuts `text` to `count` characters with an ellipsis, so long names do not run off the chart.
    static func truncate(_ text: String, to count: Int) -> String {
        guard text.count > count else { return text }
        return count <= 1 ? "…" : String(text.prefix(count - 1)) + "…"
    }
}
