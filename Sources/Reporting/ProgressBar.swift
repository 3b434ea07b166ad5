import Foundation

/// A one-line progress bar for long loops, redrawn in place with `\r`:
///
///     epoch 3/10 [=========>          ] 2944/5000 img  412 img/s  ETA 0:05  loss 0.512  acc 81.3%
///
/// When stdout is not a terminal (a log file, CI) it prints a plain line at every tenth of the
/// work instead, at most one every `plainInterval` seconds, so logs stay short, and at least one
/// every `plainHeartbeat` seconds while work advances, so a long stretch (a whole search is one
/// bar) does not look stalled in a log. Output is flushed at every draw so nothing is lost if the
/// process dies.
public final class ProgressBar {
    /// Shown before the bar ("epoch 3/10").
    public let label: String
    /// Units of work in the whole stretch (at least 1).
    public let total: Int
    /// What is counted ("img", "step").
    public let unit: String
    /// Redraw in place with `\r` (a terminal), or print plain lines (a log file).
    public let interactive: Bool
    /// Minimum seconds between plain lines when not interactive (default 10).
    public var plainInterval: TimeInterval = 10
    /// Seconds after which a plain line is printed even between tenths, if work advanced
    /// (default 300: a line every five minutes at least).
    public var plainHeartbeat: TimeInterval = 300
    /// Where lines go (stdout); tests collect them.
    var write: (String, _ terminator: String) -> Void = { print($0, terminator: $1) }

    private let start: Date
    private let initial: Int
    private var lastDraw = Date.distantPast
    private var lastPlainLine: Date
    private var lastPlainTenth: Int
    private var lastPlainDone: Int
    private var drawn = false

    /// - Parameters:
    ///   - label: shown before the bar ("epoch 3/10").
    ///   - total: units of work in the whole stretch.
    ///   - unit: what is counted ("img", "step").
    ///   - initial: work already done before this bar started (a resumed epoch); it counts
    ///     toward `done` but not toward the rate.
    ///   - interactive: redraw in place (a terminal) or print plain lines; defaults to whether
    ///     stdout is a terminal.
    public convenience init(label: String, total: Int, unit: String = "img", initial: Int = 0,
                            interactive: Bool = ProgressBar.stdoutIsTerminal) {
        self.init(label: label, total: total, unit: unit, initial: initial, interactive: interactive, start: Date())
    }

    /// A bar that started at `start` (tests).
    init(label: String, total: Int, unit: String, initial: Int, interactive: Bool, start: Date) {
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.initial = initial
        self.interactive = interactive
        self.start = start
        lastPlainLine = start
        lastPlainTenth = initial * 10 / max(total, 1)
        lastPlainDone = initial
    }

    /// Whether stdout is a terminal, where redrawing with `\r` works.
    public static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Width of the terminal in columns (COLUMNS, else the tty's size, else 100).
    public static var terminalColumns: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 100
    }

    /// Reports that `done` units are finished; `metrics` are shown after the ETA in order, e.g.
    /// `[("loss", "0.512"), ("acc", "81.3%")]`.
    public func update(done: Int, metrics: [(String, String)] = []) { update(done: done, metrics: metrics, at: Date()) }

    /// `update` at a given time (tests).
    func update(done: Int, metrics: [(String, String)], at now: Date) {
        let elapsed = now.timeIntervalSince(start)
        if interactive {
            // Redraw at most 10 times a second, and always at the end.
            guard done >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            let line = Self.render(label: label, done: done, total: total, unit: unit, counted: done - initial,
                                   elapsed: elapsed, metrics: metrics, columns: Self.terminalColumns - 1)
            write("\r" + line + "\u{1B}[K", "")
            drawn = true
        } else {
            let tenth = min(done, total) * 10 / total
            let quiet = now.timeIntervalSince(lastPlainLine)
            guard quiet >= plainInterval, tenth > lastPlainTenth || (quiet >= plainHeartbeat && done > lastPlainDone) else { return }
            lastPlainTenth = max(tenth, lastPlainTenth)
            lastPlainDone = done
            lastPlainLine = now
            let line = Self.render(label: label, done: done, total: total, unit: unit, counted: done - initial,
                                   elapsed: elapsed, metrics: metrics, columns: nil, bar: false)
            write(line, "\n")
        }
        fflush(nil)
    }

    /// Clears the bar's line so the next printed line starts clean.
    public func finish() {
        guard interactive, drawn else { return }
        write("\r\u{1B}[K", "")
        fflush(nil)
        drawn = false
    }

    /// The text of one bar. `counted` units took `elapsed` seconds (the rate and ETA come from
    /// them); `columns` cuts the line to fit a terminal (nil: no limit).
    public static func render(label: String, done: Int, total: Int, unit: String, counted: Int, elapsed: TimeInterval,
                              metrics: [(String, String)], columns: Int?, bar: Bool = true) -> String {
        let total = max(total, 1)
        let done = min(max(done, 0), total)
        let rate = elapsed > 0 ? Double(counted) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : nil
        let tail = "\(done)/\(total) \(unit)  " + formatRate(rate, unit: unit) + "  ETA " + (eta.map(formatDuration) ?? "?")
            + metrics.map { "  \($0.0) \($0.1)" }.joined()
        guard bar else { return "\(label) \(tail)" }
        var width = 30
        if let columns {
            // Shrink the bar to fit; below 10 cells drop it and cut the text.
            width = min(30, columns - label.count - tail.count - 4)
            if width < 10 {
                let line = "\(label) \(tail)"
                return String(line.prefix(max(columns, 0)))
            }
        }
        let filled = width * done / total
        let cells = String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1))
        return "\(label) [\(cells)] \(tail)"
    }

    /// Seconds as `m:ss`, or `h:mm:ss` from an hour, or `Nd h:mm:ss` from a day.
    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        let (d, h, m, r) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60)
        if d > 0 { return String(format: "%dd %d:%02d:%02d", d, h, m, r) }
        if h > 0 { return String(format: "%d:%02d:%02d", h, m, r) }
        return String(format: "%d:%02d", m, r)
    }

    /// "412 img/s", "3.3 step/s"; below one per second the time per unit, "27.3 s/step" (a slow
    /// search would otherwise read "0.0 step/s").
    static func formatRate(_ rate: Double, unit: String) -> String {
        if rate > 0 && rate < 1 { return String(format: "%.1f s/%@", 1 / rate, unit) }
        return (rate >= 100 ? String(format: "%.0f", rate) : String(format: "%.1f", rate)) + " \(unit)/s"
    }
}
