import Foundation
import XCTest
@testable import NAS

/// Every error of the library that conforms to `DescribedError` shows its one line through
/// `localizedDescription` too, which is what a caller printing `error.localizedDescription` sees.
final class DescribedErrorTests: XCTestCase {
    func testLocalizedDescriptionIsTheDescription() {
        let errors: [any DescribedError] = [
            EvalNetworkError.invalidSetting("--layers must be at least 3"),
            PrimitiveError.unknownName("conv_9x9"),
            DerivationError.invalidTopK(0),
            TensorBoardEventReader.ReadError.truncated(file: "events", record: 2),
            GenotypeSpecError.missingFile(path: "missing.json"),
            GenotypeTextError(offset: 4, message: "expected '('"),
            GenotypeError.noNodes(cell: .normal),
            Genotype.JSONError(description: "not an object"),
        ]
        for error in errors {
            XCTAssertFalse(error.description.isEmpty)
            XCTAssertEqual(error.errorDescription, error.description)
            XCTAssertEqual(error.localizedDescription, error.description, "\(type(of: error))")
        }
    }
}
