import Foundation
import XCTest

/// The OpenMP wait policy the binary chooses (a short spin, Sources/entrannas/OpenMPPolicy.swift):
/// libgomp reads it once, when it loads, so a start without it re-executes itself with it set;
/// one given in the environment wins. The other command tests give it, to skip the re-execution.
final class OpenMPPolicyTests: XCTestCase {
    /// `entrannas info`'s policy line, with `environment` in place of any OpenMP setting of this
    /// process.
    private func policy(_ environment: [String: String]) throws -> String {
        let info = try EntranNASBinary.run(["info"], in: temporaryFolder(self), name: "info", environment: environment,
                                           binaryChoosesOpenMP: true)
        return info.output.split(separator: "\n").first { $0.hasPrefix("openmp") }.map(String.init) ?? info.output
    }

    func testTheBinarySetsAShortSpinUnlessTheEnvironmentDoes() throws {
        // `info` reads the environment its process image started with, what libgomp read: without
        // the re-execution it would be libgomp's default.
        XCTAssertEqual(try policy([:]), "openmp     wait policy spin 1000, then sleep")
        XCTAssertEqual(try policy(["GOMP_SPINCOUNT": "5"]), "openmp     wait policy spin 5, then sleep (GOMP_SPINCOUNT from the environment)")
        XCTAssertEqual(try policy(["OMP_WAIT_POLICY": "passive"]), "openmp     wait policy OMP_WAIT_POLICY=passive (from the environment)")
        // As libgomp reads them: GOMP_SPINCOUNT over the policy's spin.
        XCTAssertEqual(try policy(["OMP_WAIT_POLICY": "passive", "GOMP_SPINCOUNT": "5"]),
                       "openmp     wait policy spin 5, then sleep (GOMP_SPINCOUNT from the environment)")
    }
}
