import Foundation
import XCTest
import Torch

/// The profiler (Profiler.swift) and its table (ProfileSummary.swift): a trace that parses and
/// names the convolutions and ranges that ran, and self times computed from nesting.
final class ProfilerTests: XCTestCase {
    func testTraceParsesAndNamesConvolutionsAndRanges() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("profile.json")
        let weight = try Tensor.randn([4, 2, 3, 3]).requiringGrad()
        let x = try Tensor.randn([2, 2, 8, 8])
        try Profiler.start(recordShapes: true)
        try Profiler.range("my step") {
            let y = try conv2d(x, weight: weight, padding: 1)
            try y.sum().backward()
        }
        try Profiler.stop(writingTo: trace)

        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any])
        let events = try XCTUnwrap(root["traceEvents"] as? [[String: Any]])
        let names = Set(events.compactMap { $0["name"] as? String })
        XCTAssertTrue(names.contains("my step"), "the range is in the trace: \(names.sorted())")
        XCTAssertTrue(names.contains("aten::conv2d"), "the forward convolution is in the trace: \(names.sorted())")
        XCTAssertTrue(names.contains { $0.contains("onvolutionBackward") }, "its backward is too: \(names.sorted())")
        XCTAssertFalse(FileManager.default.fileExists(atPath: trace.path + ".tmp"))
        // Recorded shapes: the convolution's input and weight sizes, as PyTorch's traces write them.
        let convEvent = try XCTUnwrap(events.first { $0["name"] as? String == "aten::conv2d" })
        let dims = try XCTUnwrap((convEvent["args"] as? [String: Any])?["Input Dims"] as? [[Int]])
        XCTAssertEqual(Array(dims.prefix(2)), [[2, 2, 8, 8], [4, 2, 3, 3]])

        let summary = try ProfileSummary(traceAt: trace)
        let step = try XCTUnwrap(summary.entries.first { $0.name == "my step" })
        let conv = try XCTUnwrap(summary.entries.first { $0.name == "aten::conv2d" })
        XCTAssertEqual(step.calls, 1)
        XCTAssertEqual(conv.calls, 1)
        XCTAssertGreaterThan(conv.totalMicroseconds, 0)
        // aten::conv2d calls aten::convolution and so on down to the kernel: its own time is a part.
        XCTAssertLessThan(conv.selfMicroseconds, conv.totalMicroseconds)
        // The range holds everything on this thread (the backward runs on the calling thread on a CPU).
        XCTAssertEqual(summary.selfMicroseconds, step.totalMicroseconds, accuracy: 0.01 * step.totalMicroseconds)
        XCTAssertTrue(summary.table(top: 5).contains("| my step |") || summary.entries.count > 5)
    }

    func testStartTwiceOrStopWithoutStartIsAnError() throws {
        assertThrowsTorchError("stop without start", containing: ["stopping the profiler", "not running"]) {
            try Profiler.stop(writingTo: nil)
        }
        try Profiler.start()
        assertThrowsTorchError("second start", containing: ["already running"]) { try Profiler.start() }
        try Profiler.stop(writingTo: nil)
    }

    func testUnwritableTraceIsAnErrorAndStopsTheProfiler() throws {
        try Profiler.start()
        _ = try Tensor.randn([3]).relu()
        let target = URL(fileURLWithPath: "/nonexistent-folder/profile.json")
        assertThrowsTorchError("unwritable", containing: ["/nonexistent-folder/profile.json"]) {
            try Profiler.stop(writingTo: target)
        }
        try Profiler.start()  // the failed stop still stopped it
        try Profiler.stop(writingTo: nil)
    }

    /// Self time = own time minus the direct children's: worked by hand on two threads, with a
    /// child that ends a rounding hair after its parent.
    func testSelfTimesFromNesting() throws {
        let spans: [ProfileSummary.Span] = [
            .init(name: "step", thread: "1", start: 0, duration: 100),
            .init(name: "conv", thread: "1", start: 10, duration: 50),
            .init(name: "kernel", thread: "1", start: 12, duration: 40),
            .init(name: "relu", thread: "1", start: 70, duration: 20.0004),
            .init(name: "conv", thread: "2", start: 5, duration: 31),
        ]
        let summary = try ProfileSummary(spans: spans)
        let byName = Dictionary(uniqueKeysWithValues: summary.entries.map { ($0.name, $0) })
        XCTAssertEqual(try XCTUnwrap(byName["step"]).selfMicroseconds, 30, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(byName["conv"]).selfMicroseconds, 10 + 31, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(byName["conv"]).calls, 2)
        XCTAssertEqual(try XCTUnwrap(byName["conv"]).totalMicroseconds, 81, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(byName["kernel"]).selfMicroseconds, 40, accuracy: 1e-9)
        XCTAssertEqual(summary.entries.map(\.name), ["conv", "kernel", "step", "relu"])
        XCTAssertEqual(summary.selfMicroseconds, 131, accuracy: 1e-3)
        let table = summary.table(top: 2, steps: 2)
        XCTAssertTrue(table.contains("| kernel | 0 | 0.0 | 30.5 | 40 | 0.0 |"), table)
        XCTAssertEqual(try XCTUnwrap(byName["conv"]).medianSelfMicroseconds, 20.5, accuracy: 1e-9)
        XCTAssertEqual(table.split(separator: "\n").count, 4)
        XCTAssertEqual(summary.outliers.calls, 0)
        XCTAssertNil(summary.outlierNote())
    }

    /// A call far above its operator's median counts as a stall: its time beyond the median is
    /// reported, and the median column is not moved by it.
    func testStalledCallsAreOutliers() throws {
        var spans = (0..<9).map { ProfileSummary.Span(name: "relu", thread: "1", start: Double($0) * 100, duration: 10) }
        spans.append(.init(name: "relu", thread: "1", start: 1000, duration: 5010))  // a stall
        spans.append(.init(name: "relu", thread: "1", start: 7000, duration: 99))   // under 10x the median
        spans += (0..<3).map { ProfileSummary.Span(name: "rare", thread: "1", start: 8000 + Double($0) * 2000, duration: $0 == 0 ? 1 : 1000) }
        let summary = try ProfileSummary(spans: spans)
        let relu = try XCTUnwrap(summary.entries.first { $0.name == "relu" })
        XCTAssertEqual(relu.medianSelfMicroseconds, 10)
        XCTAssertEqual(relu.selfMicroseconds, 90 + 5010 + 99, accuracy: 1e-9)
        XCTAssertEqual(summary.outliers.calls, 1)  // names with fewer than 5 calls are not judged
        XCTAssertEqual(summary.outliers.excessMicroseconds, 5000, accuracy: 1e-9)
        // One operator on maps of different sizes: each size is judged against its own median.
        let sized = (0..<10).map { i in
            ProfileSummary.Span(name: "add", thread: "1", start: Double(i) * 1000, duration: i < 6 ? 1 : 200,
                                shapes: i < 6 ? "[[1]]" : "[[64, 16, 28, 28]]")
        }
        XCTAssertEqual(try ProfileSummary(spans: sized).outliers.calls, 0)
        XCTAssertEqual(try ProfileSummary(spans: sized.map { .init(name: $0.name, thread: "1", start: $0.start, duration: $0.duration) })
            .outliers.calls, 4, "without shapes the large maps look like stalls")
        let note = try XCTUnwrap(summary.outlierNote(steps: 2))
        XCTAssertTrue(note.hasPrefix("1 call took more than 10x their operator's median self time: 2.5 ms per step"), note)
    }

    func testNotATraceIsAnError() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("profile.json")
        try Data("{\"foo\": 1}".utf8).write(to: file)
        assertThrowsTorchError("not a trace", containing: ["not a Chrome trace", file.path]) { try ProfileSummary(traceAt: file) }
        assertThrowsTorchError("missing", containing: ["cannot read the profile"]) {
            try ProfileSummary(traceAt: folder.appendingPathComponent("missing.json"))
        }
    }
}
