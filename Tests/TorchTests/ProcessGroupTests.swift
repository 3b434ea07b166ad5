import Foundation
import XCTest
@testable import Torch

/// c10d collectives over loopback: two ranks, here as two threads of one process (each with its
/// own process group, as two processes would have), so the test needs no launcher.
final class ProcessGroupTests: XCTestCase {
    func testAllReduceBroadcastAndBarrierOnTwoRanks() throws {
        guard ProcessGroup.isGlooAvailable else { throw XCTSkip("this libtorch build has no Gloo") }
        let port = try ProcessGroup.freeLoopbackPort()
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            do {
                let group = try ProcessGroup(port: port, rank: rank, worldSize: 2, timeout: 30)
                let summed = try Tensor([Float(rank + 1), 10 * Float(rank + 1)], shape: [2])
                try group.allReduceSum([summed])
                let averaged = try Tensor([Float(rank) * 4], shape: [1])
                try group.allReduceMean([averaged])
                let weights = try Tensor([Float(rank + 7)], shape: [1])
                try group.broadcast([weights], from: 0)
                // Several tensors of two dtypes travel as one buffer per dtype and come back in place.
                let matrix = try Tensor([Float(rank), 1, 2, Float(rank)], shape: [2, 2])
                let counts = try Tensor([Int64(rank + 1)], shape: [1])
                let vector = try Tensor([Float(10 * rank)], shape: [1])
                try group.allReduceSum([matrix, counts, vector])
                let numbers = try group.allReduceSum([Double(rank) + 0.5, 2])
                try group.barrier()
                results.set(rank, try summed.floats() + averaged.floats() + weights.floats() + matrix.floats()
                            + [Float(try counts.itemInt())] + vector.floats() + numbers.map(Float.init))
            } catch {
                results.set(rank, error: "\(error)")
            }
        }
        XCTAssertEqual(results.errors, [])
        // sum of [1, 10] and [2, 20]; mean of 0 and 4; rank 0's weight 7 everywhere; then the
        // coalesced sums: [[1, 2], [4, 1]], 3, 10, and the plain numbers 2 and 4.
        let expected: [Float] = [3, 30, 2, 7, 1, 2, 4, 1, 3, 10, 2, 4]
        XCTAssertEqual(results.values[0], expected)
        XCTAssertEqual(results.values[1], expected)
    }

    func testAMissingRankTimesOutWithAnError() throws {
        guard ProcessGroup.isGlooAvailable else { throw XCTSkip("this libtorch build has no Gloo") }
        let started = Date()
        XCTAssertThrowsError(try ProcessGroup(port: ProcessGroup.freeLoopbackPort(), rank: 0, worldSize: 2, timeout: 1)) { error in
            XCTAssertTrue("\(error)".contains("rank 0 of 2"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "a missing rank ends the wait, it does not hang")
        XCTAssertThrowsError(try ProcessGroup(port: 1, rank: 2, worldSize: 2))
    }

    /// libtorch takes the timeout as 32-bit milliseconds: a timeout it cannot hold (a user's
    /// "inf" for "no timeout", NaN, a month) and a world of more than 2^31 ranks are refused
    /// before anything is joined, not trapped on conversion.
    func testSettingsLibtorchCannotHoldAreRefused() throws {
        for timeout in [Double.infinity, .nan, 0, -5, 3e6] {
            XCTAssertThrowsError(try ProcessGroup(port: 29500, rank: 0, worldSize: 2, timeout: timeout), "\(timeout)") {
                XCTAssertTrue("\($0)".contains("is not a number of seconds in (0, 2147483]"), "\($0)")
            }
        }
        XCTAssertThrowsError(try ProcessGroup(port: 29500, rank: 0, worldSize: 1 << 40, timeout: 1)) {
            XCTAssertTrue("\($0)".contains("outside 0..<1099511627776"), "\($0)")
        }
    }
}

/// Per-rank results written from two threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int: [Float]] = [:]
    private(set) var errors: [String] = []
    func set(_ rank: Int, _ value: [Float]) { lock.lock(); values[rank] = value; lock.unlock() }
    func set(_ rank: Int, error: String) { lock.lock(); errors.append("rank \(rank): \(error)"); lock.unlock() }
}
