import Foundation
import XCTest
@testable import Reporting

/// The plain lines a bar prints into a log: one per tenth of the work, none closer than
/// `plainInterval`, and a heartbeat line when a tenth takes longer than `plainHeartbeat`.
final class ProgressBarTests: XCTestCase {
    private let start = Date(timeIntervalSinceReferenceDate: 0)

    /// A non-interactive bar over 1000 steps whose lines are collected.
    private func bar(initial: Int = 0) -> (ProgressBar, () -> [String]) {
        let bar = ProgressBar(label: "search", total: 1000, unit: "step", initial: initial, interactive: false, start: start)
        final class Lines { var all: [String] = [] }
        let lines = Lines()
        bar.write = { text, terminator in
            XCTAssertEqual(terminator, "\n", "a plain line ends with a newline")
            lines.all.append(text)
        }
        return (bar, { lines.all })
    }

    func testPlainLinesAtTenths() {
        let (bar, lines) = bar()
        bar.update(done: 50, metrics: [], at: start + 20)
        XCTAssertEqual(lines(), [], "no tenth crossed, no heartbeat due")
        bar.update(done: 100, metrics: [("loss", "0.5")], at: start + 30)
        XCTAssertEqual(lines(), ["search 100/1000 step  3.3 step/s  ETA 4:30  loss 0.5"])
        bar.update(done: 200, metrics: [], at: start + 35)
        XCTAssertEqual(lines().count, 1, "a tenth crossed within plainInterval of the last line prints nothing")
        bar.update(done: 210, metrics: [], at: start + 41)
        XCTAssertEqual(lines().count, 2, "the crossed tenth prints once plainInterval has passed")
        bar.update(done: 250, metrics: [], at: start + 60)
        XCTAssertEqual(lines().count, 2, "the same tenth does not print again")
    }

    /// A search is one bar: a DARTS search's tenth took 12 minutes on a slow machine, and its log
    /// looked stalled. Between tenths a line now comes at least every `plainHeartbeat` seconds.
    func testHeartbeatBetweenTenths() {
        let (bar, lines) = bar()
        bar.update(done: 10, metrics: [], at: start + 299)
        XCTAssertEqual(lines(), [])
        bar.update(done: 11, metrics: [], at: start + 300)
        XCTAssertEqual(lines(), ["search 11/1000 step  27.3 s/step  ETA 7:29:33"])
        bar.update(done: 11, metrics: [], at: start + 700)
        XCTAssertEqual(lines().count, 1, "no heartbeat when the work has not advanced")
        bar.update(done: 12, metrics: [], at: start + 700)
        XCTAssertEqual(lines().count, 2)
        bar.update(done: 100, metrics: [], at: start + 720)
        XCTAssertEqual(lines().count, 3, "the first tenth still prints after a heartbeat")
        bar.plainHeartbeat = 1000
        bar.update(done: 150, metrics: [], at: start + 1500)
        XCTAssertEqual(lines().count, 3, "a longer heartbeat waits")
    }

    /// A resumed stretch counts its earlier work toward the tenths but not as progress made here.
    func testResumedBarStartsAtItsTenth() {
        let (bar, lines) = bar(initial: 450)
        bar.update(done: 460, metrics: [], at: start + 60)
        XCTAssertEqual(lines(), [], "tenth 4 was reached before this process")
        bar.update(done: 500, metrics: [], at: start + 70)
        XCTAssertEqual(lines(), ["search 500/1000 step  1.4 s/step  ETA 11:40"])
    }
}
