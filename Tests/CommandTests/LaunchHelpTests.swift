import Foundation
import XCTest

/// `launch` hands everything after its own options to the ranks, so its own help must be caught
/// before any rank starts.
final class LaunchHelpTests: XCTestCase {
    func testLaunchHelpPrintsLaunchsFlagsAndStartsNoRank() throws {
        let folder = try temporaryFolder(self)
        for flag in ["--help", "-h"] {
            let run = try EntranNASBinary.run(["launch", "--nproc-per-node", "3", flag], in: folder, name: "help\(flag)", seconds: 60)
            XCTAssertTrue(run.output.contains("--nproc-per-node"), run.output)
            XCTAssertTrue(run.output.contains("--standalone"), run.output)
            XCTAssertFalse(run.output.contains("launch: 3 of 3 ranks"), "ranks were started: \(run.output)")
        }
    }
}
