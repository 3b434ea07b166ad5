import XCTest
@testable import Reporting

/// The machine line every run logs and every experiment unit records: read from the first
/// processor's block of /proc/cpuinfo, with whatever is missing or odd left out.
final class MachineDescriptionTests: XCTestCase {
    func testReadsTheFirstProcessor() {
        let amd = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 23
            model\t\t: 1
            model name\t: AMD EPYC
            flags\t\t: fpu sse2 avx avx2 fma

            processor\t: 1
            model name\t: Another CPU
            flags\t\t: avx512f
            """
        XCTAssertEqual(MachineDescription.describe(cpuinfo: amd, cores: 2), "AMD EPYC (family 23, model 1), 2 cores, AVX2")
        let intel = "model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\ncpu family\t: 6\nmodel\t\t: 106\nflags\t\t: avx2 avx512f avx512bw\n"
        XCTAssertEqual(MachineDescription.describe(cpuinfo: intel, cores: 1),
                       "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (family 6, model 106), 1 core, AVX-512")
    }

    /// Arm's cpuinfo has no model name: its core is named by implementer and part.
    func testArmNamesItsCoreByNumbers() {
        let arm = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd sve\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd40\n"
        XCTAssertEqual(MachineDescription.describe(cpuinfo: arm, cores: 8), "Arm CPU (implementer 0x41, part 0xd40), 8 cores, SVE")
    }

    func testUnionKeepsTheOrderOfFirstUse() {
        XCTAssertEqual(MachineDescription.union(["A", "B"], ["B", "C", "A"], ["C", "D"]), ["A", "B", "C", "D"])
        XCTAssertEqual(MachineDescription.union(["A", "A"]), ["A"])
        XCTAssertEqual(MachineDescription.union(), [])
    }

    func testMissingOrOddFieldsAreLeftOut() {
        XCTAssertEqual(MachineDescription.describe(cpuinfo: "", cores: 4), "unknown CPU, 4 cores")
        // No family number: no family part; control characters become spaces; a long name is cut.
        let odd = "model name : A\u{1B}[2JB   C\ncpu family : x\nmodel : 1\n"
        XCTAssertEqual(MachineDescription.describe(cpuinfo: odd, cores: 2), "A [2JB C, 2 cores")
        let long = "model name : " + String(repeating: "X", count: 500) + "\n"
        XCTAssertEqual(MachineDescription.describe(cpuinfo: long, cores: 2), String(repeating: "X", count: 80) + ", 2 cores")
        XCTAssertEqual(MachineDescription.describe(cpuinfo: "model name :\n", cores: 2), "unknown CPU, 2 cores")
        XCTAssertFalse(MachineDescription.current.isEmpty)
    }
}
