import Foundation
import XCTest

/// `entrannas search` settings a user does not give but gets.
final class SearchCommandTests: XCTestCase {
    /// `--epochs` below the preset's warm-up lowers the warm-up, and the schedule line (on the
    /// terminal and in log.txt) says so and names the flag that sets it.
    func testEpochsAloneLowerTheWarmUpAndSaySo() throws {
        let folder = try temporaryFolder(self)
        let output = folder.appendingPathComponent("search")
        let run = try EntranNASBinary.run(["search", "--preset", "quick", "--epochs", "2", "--limit", "64", "--batch-size", "16",
                                           "--layers", "2", "--steps", "2", "--init-channels", "4", "--output", output.path],
                                          in: folder, name: "search")
        let line = "schedule: 2 epochs (0 warm-up, lowered from the preset's 2: --epochs 2 leaves no room; --warmup-epochs sets it)"
        XCTAssertTrue(run.output.contains(line), run.output)
        XCTAssertTrue(try String(contentsOf: output.appendingPathComponent("log.txt"), encoding: .utf8).contains(line))
        let given = try EntranNASBinary.run(["search", "--preset", "quick", "--epochs", "2", "--warmup-epochs", "1", "--limit", "64",
                                             "--batch-size", "16", "--layers", "2", "--steps", "2", "--init-channels", "4",
                                             "--output", folder.appendingPathComponent("given").path], in: folder, name: "given")
        XCTAssertTrue(given.output.contains("schedule: 2 epochs (1 warm-up), batch"), given.output)
    }
}
