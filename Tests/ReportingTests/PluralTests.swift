import Reporting
import XCTest

final class PluralTests: XCTestCase {
    func testOneIsSingularEveryOtherCountPlural() {
        XCTAssertEqual(Plural.counted(1, "epoch"), "1 epoch")
        XCTAssertEqual(Plural.counted(0, "epoch"), "0 epochs")
        XCTAssertEqual(Plural.counted(40, "epoch"), "40 epochs")
    }
}
