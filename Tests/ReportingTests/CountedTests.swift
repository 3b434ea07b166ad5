import Reporting
import XCTest

final class CountedTests: XCTestCase {
    func testOneIsSingularEveryOtherCountPlural() {
        XCTAssertEqual(counted(1, "epoch"), "1 epoch")
        XCTAssertEqual(counted(0, "epoch"), "0 epochs")
        XCTAssertEqual(counted(40, "epoch"), "40 epochs")
    }
}
