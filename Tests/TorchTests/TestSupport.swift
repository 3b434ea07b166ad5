import Foundation
import XCTest
import Torch

// Shared fixtures for the Torch tests: deterministic tensors, a central-difference gradient
// checker, and temporary files.

/// A fixed, non-constant weight pattern (not random, so no seed is involved).
func pattern(_ count: Int, phase: Double = 0.7) -> [Double] {
    (0..<count).map { Foundation.sin(1.3 * Double($0) + phase) }
}

/// Seeded standard-normal values as a float64 tensor.
func randomDoubles(_ shape: [Int], seed: UInt64) throws -> Tensor {
    Torch.manualSeed(seed)
    return try Tensor.randn(shape).to(.float64)
}

/// Reduces any output to a scalar with fixed, unequal weights, so a gradient check also sees
/// outputs whose plain sum is constant (softmax) or insensitive to the input.
func weightedSum(_ y: Tensor) throws -> Tensor {
    try (try y * Tensor(pattern(y.count), shape: y.shape).to(y.dtype)).sum()
}

/// Compares autograd's gradients of a scalar `f` with central differences, element by element.
///
/// Inputs should be float64 (use `step` around 1e-6). The check also asserts that the numeric
/// gradient is not all zero, so that a vacuous function cannot pass.
func checkGradients(_ inputs: [Tensor], step h: Double = 1e-6, rtol: Double = 1e-5, atol: Double = 1e-7,
                    _ what: String, file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Tensor]) throws -> Tensor) throws {
    // Hundreds of tiny ops: one thread avoids OpenMP spin-waiting on a busy machine.
    let threads = Torch.threadCount
    Torch.threadCount = 1
    defer { Torch.threadCount = threads }
    let leaves = try inputs.map { try $0.detached().clone().requiringGrad() }
    let analytic = try gradients(of: f(leaves), withRespectTo: leaves)
    for (k, x) in inputs.enumerated() {
        let base = try x.doubles(), shape = x.shape
        var numeric = [Double](repeating: 0, count: base.count)
        for i in base.indices {
            var values = base
            values[i] = base[i] + h
            let plus = try withNoGrad { try f(replacing(inputs, k, with: try Tensor(values, shape: shape).to(x.dtype))).item() }
            values[i] = base[i] - h
            let minus = try withNoGrad { try f(replacing(inputs, k, with: try Tensor(values, shape: shape).to(x.dtype))).item() }
            numeric[i] = (plus - minus) / (2 * h)
        }
        let exact = try analytic[k].doubles()
        XCTAssertEqual(exact.count, numeric.count, "\(what): gradient \(k) has the wrong size", file: file, line: line)
        var worst = 0.0, worstIndex = 0
        for i in numeric.indices where i < exact.count {
            let excess = Swift.abs(exact[i] - numeric[i]) - (atol + rtol * Swift.abs(numeric[i]))
            if excess > worst { worst = excess; worstIndex = i }
        }
        XCTAssertEqual(worst, 0, "\(what): input \(k) element \(worstIndex): autograd \(exact[worstIndex]), "
                       + "central difference \(numeric[worstIndex])", file: file, line: line)
        XCTAssertGreaterThan(numeric.map { Swift.abs($0) }.max() ?? 0, 1e-4,
                             "\(what): input \(k) has an all-zero gradient, the check proves nothing", file: file, line: line)
    }
}

func replacing(_ inputs: [Tensor], _ k: Int, with t: Tensor) -> [Tensor] {
    var out = inputs
    out[k] = t
    return out
}

/// Element-wise closeness of two arrays, reporting the first offending index.
func assertClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-9, _ what: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): \(a.count) vs \(b.count) elements", file: file, line: line)
    for i in 0..<Swift.min(a.count, b.count) where !(Swift.abs(a[i] - b[i]) <= tolerance) {
        XCTFail("\(what): element \(i): \(a[i]) vs \(b[i])", file: file, line: line)
        return
    }
}

func assertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, _ what: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    assertClose(a.map(Double.init), b.map(Double.init), tolerance: Double(tolerance), what, file: file, line: line)
}

/// A fresh empty folder under the system temporary directory, removed by the caller's teardown.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("torchtests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Asserts that `body` throws a TorchError whose message contains every fragment.
func assertThrowsTorchError<T>(_ what: String, containing fragments: [String], file: StaticString = #filePath,
                               line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("\(what): expected a TorchError, nothing was thrown", file: file, line: line)
    } catch let error as TorchError {
        let message = error.description
        for fragment in fragments where !message.contains(fragment) {
            XCTFail("\(what): message '\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("\(what): expected a TorchError, got \(error)", file: file, line: line)
    }
}
