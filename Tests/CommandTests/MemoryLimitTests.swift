import Foundation
import XCTest

/// A configuration too large for the memory a process may use ends with one line that names
/// the operation, what it asked for and the flags that need less: not libtorch's allocator text.
final class MemoryLimitTests: XCTestCase {
    func testTooLittleMemoryNamesTheFlagsThatNeedLess() throws {
        if ProcessInfo.processInfo.environment["ENTRANNAS_SANITIZER"] != nil {
            throw XCTSkip("AddressSanitizer's shadow memory needs more address space than any ulimit -v this test sets")
        }
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        // 2.5 GB of address space: enough to start (libtorch maps about 1 GB), far too little
        // for this batch on this network.
        let command = ([EntranNASBinary.url.path, "search", "--preset", "quick", "--batch-size", "512", "--init-channels", "32",
                        "--layers", "8", "--limit", "1024", "--epochs", "1", "--warmup-epochs", "0", "--output", output.path])
            .map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 2500000 && exec \(command)"]
        var environment = ProcessInfo.processInfo.environment
        environment["ENTRANNAS_THREADS"] = "1"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, text)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(lines.count, 1, text)
        let line = String(lines.first ?? "")
        XCTAssertTrue(line.hasPrefix("Error: out of memory: "), line)
        XCTAssertTrue(line.contains(" asked for ") && line.contains("ulimit -v, is 2.56 GB"), line)
        XCTAssertTrue(line.contains("--batch-size") && line.contains("--batch-chunks 2"), line)
        XCTAssertFalse(line.contains("alloc_cpu.cpp"), line)
    }
}
