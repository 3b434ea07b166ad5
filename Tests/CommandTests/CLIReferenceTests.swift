import Foundation
import XCTest

/// docs/cli.md is every subcommand's --help as the binary prints it: rewritten from this build's
/// binary, it must come out byte for byte the same, so a changed flag or help text cannot leave
/// the reference behind.
final class CLIReferenceTests: XCTestCase {
    private var script: URL { repositoryRoot.appendingPathComponent("scripts/cli-reference.sh") }

    func testDocsCLIReferenceIsTheBinarysHelp() throws {
        guard FileManager.default.isExecutableFile(atPath: EntranNASBinary.url.path) else {
            throw XCTSkip("\(EntranNASBinary.url.path) is missing; build it with swift build --build-tests")
        }
        let written = try temporaryFolder(self).appendingPathComponent("cli.md")
        let run = try runBash(script, [EntranNASBinary.url.path, written.path])
        XCTAssertEqual(run.status, 0, run.errors)
        let fresh = try String(contentsOf: written, encoding: .utf8)
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        // Every subcommand has its section, so the comparison covers them all.
        for command in ["info", "search", "run", "experiment", "launch", "draw", "report", "train", "eval", "export",
                        "import", "summary"] {
            XCTAssertTrue(fresh.contains("## entrannas \(command)\n"), "no section for \(command)")
        }
        if fresh != committed {
            let freshLines = fresh.split(separator: "\n", omittingEmptySubsequences: false)
            let committedLines = committed.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(freshLines, committedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(freshLines.count, committedLines.count)
            let got = first < freshLines.count ? String(freshLines[first]) : "(end)"
            let had = first < committedLines.count ? String(committedLines[first]) : "(end)"
            XCTFail("docs/cli.md differs from the binary's help at line \(first + 1): the binary prints '\(got)', "
                    + "the file has '\(had)'; rewrite it with scripts/cli-reference.sh")
        }
    }

    /// A binary that lists no subcommands, or fails on one's help halfway through the file,
    /// leaves the old file as it was and no temporary file beside it.
    func testAFailedRewriteLeavesTheFile() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("cli.md")
        for (name, body) in [("none", "echo 'OVERVIEW: nothing'"),
                             ("halfway", "[ \"$1\" = --help ] && printf 'SUBCOMMANDS:\\n  info  x\\n  train  y\\n\\n' && exit 0\n"
                                         + "[ \"$1\" = info ] && echo 'info help' && exit 0\nexit 3")] {
            let fake = folder.appendingPathComponent(name)
            try writeExecutable("#!/usr/bin/env bash\n\(body)\n", to: fake)
            try "old\n".write(to: output, atomically: true, encoding: .utf8)
            let run = try runBash(script, [fake.path, output.path])
            XCTAssertNotEqual(run.status, 0, name)
            if name == "none" { XCTAssertTrue(run.errors.contains("lists no subcommands"), run.errors) }
            XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), "old\n", name)
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("cli.md") }
            XCTAssertEqual(left, ["cli.md"], "\(name): a temporary file was left behind")
        }
    }
}
