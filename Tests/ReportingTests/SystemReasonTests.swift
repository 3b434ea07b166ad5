import Foundation
import Reporting
import XCTest

/// Failed file operations are reported in the system's words (errno's text) with the fix that
/// matches, where Foundation on Linux says only "The operation could not be completed".
final class SystemReasonTests: XCTestCase {
    private struct Plain: Error { let detail = "plain detail" }

    /// Foundation's own errors give the POSIX error underneath; ours keep their line; a Swift
    /// error without a description of its own is printed as it is, not as "error 1".
    func testTheReasonIsTheErrnoUnderFoundationsMessage() {
        XCTAssertThrowsError(try FileManager.default.createDirectory(atPath: "/proc/entrannas-none/x",
                                                                     withIntermediateDirectories: true)) { error in
            XCTAssertEqual(SystemReason.of(error), "No such file or directory")
            XCTAssertFalse(SystemReason.isOutOfSpace(error))
        }
        XCTAssertEqual(SystemReason.of(RunError("our own line")), "our own line")
        XCTAssertEqual(SystemReason.of(Plain()), "Plain(detail: \"plain detail\")")
        let full = NSError(domain: NSCocoaErrorDomain, code: 640,
                           userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        XCTAssertEqual(SystemReason.of(full), "No space left on device")
        XCTAssertTrue(SystemReason.isOutOfSpace(full))
        XCTAssertTrue(SystemReason.isOutOfSpace(NSError(domain: NSPOSIXErrorDomain, code: Int(EDQUOT))))
    }

    /// A Foundation file error that reaches the command line unnamed still names its file; other
    /// errors are left to their own text.
    func testAnUnnamedFileErrorNamesItsFile() {
        XCTAssertThrowsError(try FileManager.default.contentsOfDirectory(atPath: "/proc/entrannas-none")) { error in
            XCTAssertEqual(SystemReason.fileErrorLine(error), "/proc/entrannas-none: No such file or directory")
        }
        XCTAssertThrowsError(try Data(contentsOf: URL(fileURLWithPath: "/proc/entrannas-none"))) { error in
            XCTAssertEqual(SystemReason.fileErrorLine(error), "/proc/entrannas-none: No such file or directory")
        }
        XCTAssertNil(SystemReason.fileErrorLine(RunError("ours")))
        XCTAssertThrowsError(try JSONDecoder().decode([Int].self, from: Data("{}".utf8))) { error in
            XCTAssertNil(SystemReason.fileErrorLine(error), "a DecodingError keeps its own text")
        }
        XCTAssertNil(SystemReason.fileErrorLine(Plain()))
    }

    /// Each reason gets the fix that matches it, and only a fix that matches.
    func testTheFixFollowsTheReason() {
        XCTAssertEqual(SystemReason.fix(errno: ENOSPC), "; free space, then run it again")
        XCTAssertEqual(SystemReason.fix(errno: EDQUOT), "; free space, then run it again")
        for code in [EACCES, EPERM, EROFS] {
            XCTAssertEqual(SystemReason.fix(errno: code), "; make the folder writable or choose another")
        }
        XCTAssertEqual(SystemReason.fix(errno: ENOTDIR), "")
        XCTAssertEqual(SystemReason.fix(for: NSError(domain: NSCocoaErrorDomain, code: 513, userInfo:
            [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EROFS))])), "; make the folder writable or choose another")
        XCTAssertEqual(SystemReason.fix(for: RunError("ours")), "")
    }

    /// The chain of underlying errors is followed a few steps only: a cycle or a deep chain ends
    /// in Foundation's own text, never in a hang.
    func testADeepChainEndsInFoundationsText() {
        var error = NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))
        for code in 1...5 { error = NSError(domain: NSCocoaErrorDomain, code: code, userInfo: [NSUnderlyingErrorKey: error]) }
        XCTAssertEqual(SystemReason.of(error), error.localizedDescription)
        XCTAssertFalse(SystemReason.isOutOfSpace(error))
    }

    /// /dev/full refuses every write with ENOSPC, a real full disk without root: the appended
    /// log says so and names the fix.
    func testAFullDiskStopsAnAppendWithItsReasonAndFix() throws {
        // Where /dev/full is missing (a minimal container), opening it would create a plain file.
        var info = stat()
        guard stat("/dev/full", &info) == 0, info.st_mode & S_IFMT == S_IFCHR else {
            throw XCTSkip("/dev/full is not the full device here")
        }
        let file = try AppendFile(url: URL(fileURLWithPath: "/dev/full"), what: "the log file")
        XCTAssertThrowsError(try file.append(Data("a line\n".utf8))) { error in
            XCTAssertEqual("\(error)", "cannot write to /dev/full: No space left on device; the run stopped, "
                           + "its last checkpoint is intact: free space, then continue with --resume")
        }
    }

    /// A folder that cannot be made, and a file that cannot be opened, are named with errno's text.
    func testAtomicAndAppendedFilesNameTheSystemsReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-reason-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let below = file.appendingPathComponent("sub/out.json")
        XCTAssertThrowsError(try AtomicFile.write("{}", to: below)) { error in
            XCTAssertEqual("\(error)", "cannot create folder \(file.path)/sub: Not a directory")
        }
        XCTAssertThrowsError(try AppendFile(url: file.appendingPathComponent("log.txt"), what: "the log file")) { error in
            XCTAssertEqual("\(error)", "cannot open the log file \(file.path)/log.txt for appending: Not a directory")
        }
        let appended = folder.appendingPathComponent("log.txt")
        try AtomicFile.write("first\n", to: appended)
        try AppendFile(url: appended, what: "the log file").append(Data("second\n".utf8))
        XCTAssertEqual(try String(contentsOf: appended, encoding: .utf8), "first\nsecond\n")
    }
}
