import Torch
import XCTest

/// Base of the NAS test classes: tiny tensors run fastest on one libtorch thread, and a second
/// thread spinning at OpenMP barriers makes tests crawl when the cores are shared.
class SingleThreadTestCase: XCTestCase {
    private var savedThreadCount = 1

    override func setUp() {
        super.setUp()
        savedThreadCount = Torch.threadCount
        Torch.threadCount = 1
    }

    override func tearDown() {
        Torch.threadCount = savedThreadCount
        super.tearDown()
    }
}
