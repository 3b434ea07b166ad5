@testable import NAS

/// An observer for tests: keeps the logged lines and calls `onProgress` with the label of the
/// current stretch of work and the units done, so a test can request a stop at a given point.
final class RecordingObserver: RunObserver {
    var lines: [String] = []
    var label = ""
    /// The names of the metrics each stretch's progress showed, by label.
    var metricNames: [String: Set<String>] = [:]
    var onProgress: (_ label: String, _ done: Int) -> Void

    init(onProgress: @escaping (_ label: String, _ done: Int) -> Void = { _, _ in }) { self.onProgress = onProgress }

    func progressWillStart(label: String, total: Int, unit: String, done: Int) { self.label = label }
    func progress(done: Int, metrics: [(String, String)]) {
        metricNames[label, default: []].formUnion(metrics.map(\.0))
        onProgress(label, done)
    }
    func progressDidFinish() {}
    func runDidLog(_ line: String) { lines.append(line) }
}
