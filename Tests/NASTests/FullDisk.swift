import Foundation
import XCTest

/// A real full disk for tests: a small tmpfs mounted in a temporary folder, which `fill()` fills
/// to the last byte and `free()` empties again. Mounting needs root (CI runs as root); elsewhere
/// the test is skipped with that reason.
final class FullDisk {
    let url: URL
    private var filler: URL { url.appendingPathComponent("filler") }

    init(megabytes: Int = 8) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-fulldisk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        guard Self.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", url.path]) == 0 else {
            try? FileManager.default.removeItem(at: url)
            throw XCTSkip("mounting a tmpfs needs root; this test fills a real disk")
        }
    }

    /// A folder inside the disk for a run's output.
    func folder(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes zeros until the disk refuses (ENOSPC), then gives `leaving` bytes back (a disk
    /// that fills up partway through what a command writes).
    func fill(leaving: Int = 0) {
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: filler.path) else { return }
        defer { try? handle.close() }
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        if leaving > 0, let size = try? handle.offset() { try? handle.truncate(atOffset: size - UInt64(min(leaving, Int(size)))) }
    }

    func free() { try? FileManager.default.removeItem(at: filler) }

    /// Asserts that `run` fails with the one-line error of a full disk naming a file in `folder`,
    /// the system's reason and the fix.
    func assertStops(_ run: () throws -> Any, writingTo folder: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try run(), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(folder) && text.contains("No space left on device") && text.contains("free space"),
                          text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
        }
    }

    deinit {
        _ = Self.shell("/bin/umount", [url.path])
        try? FileManager.default.removeItem(at: url)
    }

    private static func shell(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
