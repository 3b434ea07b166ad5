import Foundation
import XCTest

/// The OpenMP wait policy the binary chooses (a short spin, Sources/entrannas/OpenMPPolicy.swift):
/// libgomp reads it once, when it loads, so a start without it re-executes itself with it set;
/// one given in the environment wins. The other command tests give it, to skip the re-execution.
final class OpenMPPolicyTests: XCTestCase {
    /// `entrannas info`'s policy line, with `environment` in place of any OpenMP setting of this
    /// process.
    private func policy(_ environment: [String: String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: EntranNASBinary.url.path) else {
            throw XCTSkip("\(EntranNASBinary.url.path) is missing; build it with swift build --build-tests")
        }
        let process = Process(), pipe = Pipe()
        process.executableURL = EntranNASBinary.url
        process.arguments = ["info"]
        var env = ProcessInfo.processInfo.environment
        for key in ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"] { env[key] = nil }
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        return text.split(separator: "\n").first { $0.hasPrefix("openmp") }.map(String.init) ?? text
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
