import Reporting
import XCTest

/// Every rank's machine survives the sum over ranks that gathers them (a data-parallel run's CPU
/// time is summed over ranks, so its record must name every rank's machine).
final class MachineSlotsTests: XCTestCase {
    private func gathered(_ descriptions: [String]) -> [String] {
        let each = descriptions.enumerated().map {
            MachineDescription.slots($1, rank: $0, worldSize: descriptions.count)
        }
        let summed = each.dropFirst().reduce(each[0]) { zip($0, $1).map { $0 + $1 } }
        return MachineDescription.descriptions(summed: summed, worldSize: descriptions.count)
    }

    func testEveryRanksDescriptionComesBackInRankOrder() {
        let machines = ["AMD EPYC (family 23, model 1), 2 cores, AVX2", "Intel Xeon (family 6, model 85), 8 cores, AVX-512",
                        "AMD EPYC (family 23, model 1), 2 cores, AVX2", ""]
        XCTAssertEqual(gathered(machines), machines)
        XCTAssertEqual(MachineDescription.union(gathered(machines)), Array(machines[0..<2]) + [""])
        XCTAssertEqual(gathered(["only"]), ["only"])
    }

    /// A description longer than a slot is cut to it, never spilled into the next rank's.
    func testALongDescriptionIsCutToItsSlot() {
        let long = String(repeating: "x", count: MachineDescription.slotBytes + 40)
        XCTAssertEqual(gathered([long, "second"]), [String(repeating: "x", count: MachineDescription.slotBytes), "second"])
    }

    /// Values no rank's bytes can sum to end a slot; a short vector gives empty descriptions; a
    /// rank outside the world writes nothing.
    func testOddSumsEndTheSlot() {
        var summed = MachineDescription.slots("abc", rank: 0, worldSize: 2)
        summed[1] = 300
        XCTAssertEqual(MachineDescription.descriptions(summed: summed, worldSize: 2), ["a", ""])
        summed[1] = 98.5
        XCTAssertEqual(MachineDescription.descriptions(summed: summed, worldSize: 2), ["a", ""])
        XCTAssertEqual(MachineDescription.descriptions(summed: [97, 98], worldSize: 3), ["ab", "", ""])
        XCTAssertEqual(MachineDescription.slots("abc", rank: 2, worldSize: 2), [Double](repeating: 0, count: 2 * MachineDescription.slotBytes))
    }
}
