import Foundation
import Reporting

/// The operators of a profile ranked by self time (their own time, without the operators they
/// call), as PyTorch's `key_averages()` table shows it: the question "where does a step go".
/// Read back from the Chrome trace `Profiler.stop` writes, so a table can be rebuilt from any
/// such file.
public struct ProfileSummary: Sendable {
    /// One operator or range name, summed over its calls.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let calls: Int
        /// Time inside it, less the time inside what it called (microseconds).
        public let selfMicroseconds: Double
        /// Time from its start to its end, callees included (microseconds).
        public let totalMicroseconds: Double
        /// The median call's self time (microseconds), over all its input shapes: unlike the sum,
        /// not moved by a few calls that stalled (a preempted thread, page faults).
        public let medianSelfMicroseconds: Double
    }

    /// Every name, most self time first.
    public let entries: [Entry]
    /// The sum of every self time: the time the profiled thread spent inside any recorded span.
    public let selfMicroseconds: Double
    /// Calls whose self time exceeds `outlierFactor` times the median of the same operator on
    /// the same input shapes (groups of at least 5 calls; without recorded shapes, of the same
    /// name), and the self time they took beyond that median: stalls rather than work.
    public let outliers: (calls: Int, excessMicroseconds: Double)
    /// How many times its group's median (same operator, same input shapes) a call's self time
    /// must exceed to count as an outlier.
    public static let outlierFactor = 10.0

    /// Reads a trace written by `Profiler.stop` (a JSON object with `traceEvents`, or a bare array
    /// of events): complete ("X") events with name, ts, dur and tid.
    public init(traceAt url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TorchError.io("cannot read the profile \(url.path): \(SystemReason.of(error))") }
        let root = try? JSONSerialization.jsonObject(with: data)
        guard let events = (root as? [String: Any])?["traceEvents"] as? [[String: Any]] ?? root as? [[String: Any]] else {
            throw TorchError.io("\(url.path) is not a Chrome trace (no traceEvents array)")
        }
        try self.init(spans: events.compactMap { event in
            guard event["ph"] as? String == "X", let name = event["name"] as? String,
                  let ts = (event["ts"] as? NSNumber)?.doubleValue, let dur = (event["dur"] as? NSNumber)?.doubleValue
            else { return nil }
            let dims = ((event["args"] as? [String: Any])?["Input Dims"]).map { "\($0)" } ?? ""
            return Span(name: name, thread: "\(event["tid"] ?? 0)", start: ts, duration: dur, shapes: dims)
        })
    }

    /// A recorded span: an operator or range call on one thread; `shapes` describes its inputs'
    /// sizes when the profile recorded them ("" otherwise).
    public struct Span: Sendable {
        public let name: String, thread: String, start: Double, duration: Double, shapes: String
        public init(name: String, thread: String, start: Double, duration: Double, shapes: String = "") {
            (self.name, self.thread, self.start, self.duration, self.shapes) = (name, thread, start, duration, shapes)
        }
    }

    /// Self times from nesting: on each thread a span's parent is the innermost span that holds it.
    public init(spans: [Span]) throws {
        var totals: [String: (calls: Int, selfTime: Double, total: Double)] = [:]
        // Self times by name, then by input shapes: a name's calls together give the median
        // column, each shape's alone the outliers (one operator's calls on maps of different
        // sizes take different times by right).
        var selfTimes: [String: [String: [Double]]] = [:]
        for (_, group) in Dictionary(grouping: spans, by: \.thread) {
            // Parents before children: earlier start first, the longer of two that start together.
            let sorted = group.sorted { $0.start != $1.start ? $0.start < $1.start : $0.duration > $1.duration }
            var stack: [(name: String, shapes: String, end: Double, children: Double, duration: Double)] = []
            func close(_ top: (name: String, shapes: String, end: Double, children: Double, duration: Double)) {
                let own = max(0, top.duration - top.children)
                totals[top.name, default: (0, 0, 0)].selfTime += own
                selfTimes[top.name, default: [:]][top.shapes, default: []].append(own)
            }
            for span in sorted {
                guard span.duration >= 0, span.start.isFinite, span.duration.isFinite else {
                    throw TorchError.io("a profile span of \(span.name) has a negative or non-finite time")
                }
                // Tolerate the rounding of printed times: a child may end a hair after its parent.
                while let top = stack.last, span.start >= top.end - 1e-3 { close(stack.removeLast()) }
                if !stack.isEmpty { stack[stack.count - 1].children += span.duration }
                totals[span.name, default: (0, 0, 0)].calls += 1
                totals[span.name, default: (0, 0, 0)].total += span.duration
                stack.append((span.name, span.shapes, span.start + span.duration, 0, span.duration))
            }
            while let top = stack.popLast() { close(top) }
        }
        func median(_ sorted: [Double]) -> Double {
            sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let medians = selfTimes.mapValues { median($0.values.joined().sorted()) }
        var outlierCalls = 0, excess = 0.0
        for times in selfTimes.values.flatMap(\.values) where times.count >= 5 {
            let sorted = times.sorted(), m = median(sorted)
            for t in sorted.reversed() {
                guard t > Self.outlierFactor * m else { break }
                outlierCalls += 1
                excess += t - m
            }
        }
        entries = totals.map { Entry(name: $0.key, calls: $0.value.calls, selfMicroseconds: $0.value.selfTime,
                                     totalMicroseconds: $0.value.total, medianSelfMicroseconds: medians[$0.key] ?? 0) }
            .sorted { $0.selfMicroseconds != $1.selfMicroseconds ? $0.selfMicroseconds > $1.selfMicroseconds : $0.name < $1.name }
        selfMicroseconds = entries.reduce(0) { $0 + $1.selfMicroseconds }
        outliers = (outlierCalls, excess)
    }

    /// The `top` entries as a markdown table (name, calls, self ms, self %, median self
    /// microseconds per call, total ms), per step when `steps` is given.
    public func table(top: Int = 15, steps: Int = 1) -> String {
        let perStep = Double(max(steps, 1)) * 1000
        let unit = steps > 1 ? " per step" : ""
        var lines = ["| operator | calls\(unit) | self ms\(unit) | self % | median self µs per call | total ms\(unit) |",
                     "|---|---:|---:|---:|---:|---:|"]
        for entry in entries.prefix(top) {
            let name = entry.name.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| \(name) | " + String(format: "%.0f | %.1f | %.1f | %.0f | %.1f |", Double(entry.calls) / Double(max(steps, 1)),
                                                 entry.selfMicroseconds / perStep,
                                                 100 * entry.selfMicroseconds / max(selfMicroseconds, 1e-9),
                                                 entry.medianSelfMicroseconds, entry.totalMicroseconds / perStep))
        }
        return lines.joined(separator: "\n")
    }

    /// A sentence on the outliers when they hold at least 5% of the recorded time, else nil.
    public func outlierNote(steps: Int = 1) -> String? {
        guard selfMicroseconds > 0, outliers.excessMicroseconds >= 0.05 * selfMicroseconds else { return nil }
        return String(format: "%d call%@ took more than %.0fx their operator's median self time: %.1f ms%@ beyond their medians, "
                      + "%.0f%% of the recorded time. Such calls are stalls (a preempted thread, page faults) rather than work; "
                      + "the trace shows where they fall.",
                      outliers.calls, outliers.calls == 1 ? "" : "s", Self.outlierFactor, outliers.excessMicroseconds / 1000 / Double(max(steps, 1)),
                      steps > 1 ? " per step" : "", 100 * outliers.excessMicroseconds / selfMicroseconds)
    }
}
