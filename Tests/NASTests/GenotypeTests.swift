import Foundation
import XCTest
@testable import NAS

/// The genotype texts as they appear in quark0/darts `cnn/genotypes.py` and yuhuixu1993/PC-DARTS
/// `genotypes.py`, used as independent golden data for the built-ins.
private let originalTexts: [String: String] = [
    "DARTS_V1": """
        DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])
        """,
    "DARTS_V2": """
        DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])
        """,
    "PC_DARTS": """
        PC_DARTS_cifar = Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))
        """,
    "PC_DARTS_image": """
        PC_DARTS_image = Genotype(normal=[('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('sep_conv_3x3', 2), ('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 3)], reduce_concat=range(2, 6))
        """,
    "NASNet": """
        NASNet = Genotype(
          normal = [
            ('sep_conv_5x5', 1),
            ('sep_conv_3x3', 0),
            ('sep_conv_5x5', 0),
            ('sep_conv_3x3', 0),
            ('avg_pool_3x3', 1),
            ('skip_connect', 0),
            ('avg_pool_3x3', 0),
            ('avg_pool_3x3', 0),
            ('sep_conv_3x3', 1),
            ('skip_connect', 1),
          ],
          normal_concat = [2, 3, 4, 5, 6],
          reduce = [
            ('sep_conv_5x5', 1),
            ('sep_conv_7x7', 0),
            ('max_pool_3x3', 1),
            ('sep_conv_7x7', 0),
            ('avg_pool_3x3', 1),
            ('sep_conv_5x5', 0),
            ('skip_connect', 3),
            ('avg_pool_3x3', 2),
            ('sep_conv_3x3', 2),
            ('max_pool_3x3', 1),
          ],
          reduce_concat = [4, 5, 6],
        )
        """,
    "AmoebaNet": """
        AmoebaNet = Genotype(
          normal = [
            ('avg_pool_3x3', 0),
            ('max_pool_3x3', 1),
            ('sep_conv_3x3', 0),
            ('sep_conv_5x5', 2),
            ('sep_conv_3x3', 0),
            ('avg_pool_3x3', 3),
            ('sep_conv_3x3', 1),
            ('skip_connect', 1),
            ('skip_connect', 0),
            ('avg_pool_3x3', 1),
            ],
          normal_concat = [4, 5, 6],
          reduce = [
            ('avg_pool_3x3', 0),
            ('sep_conv_3x3', 1),
            ('max_pool_3x3', 0),
            ('sep_conv_7x7', 2),
            ('sep_conv_7x7', 0),
            ('avg_pool_3x3', 1),
            ('max_pool_3x3', 0),
            ('max_pool_3x3', 1),
            ('conv_7x1_1x7', 0),
            ('sep_conv_3x3', 5),
          ],
          reduce_concat = [3, 4, 6]
        )
        """,
]

/// A DST-style genotype: node 3 has three inputs, node 4 keeps two ops on edge 0 -> 4.
private let dstGenotype = Genotype(
    normal: [
        [Connection(.sepConv3x3, 0)],
        [Connection(.skipConnect, 0), Connection(.dilConv3x3, 1), Connection(.sepConv3x3, 2)],
        [Connection(.sepConv3x3, 0), Connection(.skipConnect, 0), Connection(.sepConv5x5, 3)],
        [Connection(.avgPool3x3, 1), Connection(.dilConv5x5, 4)],
    ],
    normalConcat: [2, 3, 4, 5],
    reduce: [
        [Connection(.maxPool3x3, 0), Connection(.maxPool3x3, 1)],
        [Connection(.skipConnect, 2)],
        [Connection(.sepConv3x3, 1), Connection(.skipConnect, 2)],
        [Connection(.maxPool3x3, 0), Connection(.sepConv5x5, 1), Connection(.dilConv3x3, 4)],
    ],
    reduceConcat: [2, 3, 4, 5])

final class PrimitiveTests: SingleThreadTestCase {
    func testDartsListMatchesDartsPrimitivesInOrder() {
        XCTAssertEqual(Primitive.darts.map(\.rawValue), [
            "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
            "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
        ])
        XCTAssertEqual(Primitive.extended.count, 12)
        XCTAssertEqual(Array(Primitive.extended.prefix(8)), Primitive.darts)
        XCTAssertEqual(Set(Primitive.extended), Set(Primitive.allCases))
    }

    func testParseListKeepsOrderAndTrims() throws {
        XCTAssertEqual(
            try Primitive.parseList(" skip_connect,sep_conv_3x3 ,\n conv_1x1"),
            [.skipConnect, .sepConv3x3, .conv1x1])
        XCTAssertEqual(try Primitive.parseList("darts"), Primitive.darts)
        XCTAssertEqual(try Primitive.parseList("extended"), Primitive.extended)
    }

    func testParseListUnknownNameListsValidNames() {
        XCTAssertThrowsError(try Primitive.parseList("none, sep_conv_9x9")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("unknown primitive 'sep_conv_9x9'"), message)
            XCTAssertTrue(message.contains("max_pool_3x3, avg_pool_3x3"), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }

    func testParseListRejectsDuplicatesAndEmptyNames() {
        XCTAssertThrowsError(try Primitive.parseList("none, none")) { error in
            XCTAssertEqual(error as? PrimitiveError, .duplicate("none"))
        }
        XCTAssertThrowsError(try Primitive.parseList("none,,skip_connect")) { error in
            XCTAssertTrue(String(describing: error).contains("empty primitive name"))
        }
        XCTAssertThrowsError(try Primitive.parseList("")) { error in
            XCTAssertTrue(String(describing: error).contains("empty primitive name"))
        }
    }
}

final class GenotypeTests: SingleThreadTestCase {
    // MARK: built-ins

    func testBuiltinsMatchOriginalTexts() throws {
        for name in Genotype.builtinNames {
            let original = try XCTUnwrap(originalTexts[name], name)
            XCTAssertEqual(try Genotype(dartsText: original), Genotype.named(name), name)
        }
    }

    func testBuiltinsAreValidAndShaped() throws {
        for name in Genotype.builtinNames {
            let genotype = try XCTUnwrap(Genotype.named(name))
            XCTAssertNoThrow(try genotype.validate(), name)
            XCTAssertTrue(genotype.isTwoInput, name)
        }
        XCTAssertEqual(Genotype.dartsV2.steps, 4)
        XCTAssertEqual(Genotype.dartsV2.connectionCount, 16)
        XCTAssertEqual(Genotype.nasnet.steps, 5)
        XCTAssertEqual(Genotype.nasnet.steps(of: .reduce), 5)
        XCTAssertEqual(Genotype.amoebaNet.concat(of: .reduce), [3, 4, 6])
    }

    func testNamedIsCaseInsensitiveAndKnowsAliases() {
        XCTAssertEqual(Genotype.named("darts_v2"), .dartsV2)
        XCTAssertEqual(Genotype.named("DARTS"), .dartsV2)
        XCTAssertEqual(Genotype.named("pc_darts_cifar"), .pcDarts)
        XCTAssertEqual(Genotype.named("PCDARTS"), .pcDarts)
        XCTAssertEqual(Genotype.named("pc_darts_IMAGE"), .pcDartsImage)
        XCTAssertEqual(Genotype.named("nasnet"), .nasnet)
        XCTAssertEqual(Genotype.named("amoebanet"), .amoebaNet)
        XCTAssertNil(Genotype.named("ENAS"))
    }

    func testDartsV2PrintsLikeThePythonNamedtuple() {
        let python = originalTexts["DARTS_V2"]!.replacingOccurrences(of: "DARTS_V2 = ", with: "")
        XCTAssertEqual(Genotype.dartsV2.dartsText, python)
        XCTAssertEqual(String(describing: Genotype.dartsV2), python)
    }

    // MARK: round trips

    func testDartsTextRoundTripForEveryBuiltin() throws {
        for name in Genotype.builtinNames {
            let genotype = try XCTUnwrap(Genotype.named(name))
            XCTAssertEqual(try Genotype(dartsText: genotype.dartsText), genotype, name)
        }
    }

    func testJSONRoundTripForEveryBuiltin() throws {
        for name in Genotype.builtinNames {
            let genotype = try XCTUnwrap(Genotype.named(name))
            XCTAssertEqual(try Genotype(json: genotype.jsonString()), genotype, name)
        }
    }

    func testJSONLayoutHasStableKeysAndOneNodePerLine() {
        let expected = """
            {
              "normal": [
                [{"op": "sep_conv_3x3", "input": 0}, {"op": "sep_conv_3x3", "input": 1}],
                [{"op": "sep_conv_3x3", "input": 0}, {"op": "sep_conv_3x3", "input": 1}],
                [{"op": "sep_conv_3x3", "input": 1}, {"op": "skip_connect", "input": 0}],
                [{"op": "skip_connect", "input": 0}, {"op": "dil_conv_3x3", "input": 2}]
              ],
              "normal_concat": [2, 3, 4, 5],
              "reduce": [
                [{"op": "max_pool_3x3", "input": 0}, {"op": "max_pool_3x3", "input": 1}],
                [{"op": "skip_connect", "input": 2}, {"op": "max_pool_3x3", "input": 1}],
                [{"op": "max_pool_3x3", "input": 0}, {"op": "skip_connect", "input": 2}],
                [{"op": "skip_connect", "input": 2}, {"op": "max_pool_3x3", "input": 1}]
              ],
              "reduce_concat": [2, 3, 4, 5]
            }

            """
        XCTAssertEqual(Genotype.dartsV2.jsonString(), expected)
    }

    func testCodableUsesDartsKeys() throws {
        let data = try JSONEncoder().encode(Genotype.pcDarts)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["normal", "normal_concat", "reduce", "reduce_concat"])
        XCTAssertEqual(try JSONDecoder().decode(Genotype.self, from: data), .pcDarts)
    }

    func testNestedTextRoundTripForDSTGenotype() throws {
        XCTAssertNoThrow(try dstGenotype.validate())
        XCTAssertFalse(dstGenotype.isTwoInput)
        XCTAssertEqual(dstGenotype.connectionCount, 17)
        let text = dstGenotype.dartsText
        XCTAssertTrue(text.hasPrefix(
            "Genotype(normal=[[('sep_conv_3x3', 0)], [('skip_connect', 0), ('dil_conv_3x3', 1), ('sep_conv_3x3', 2)], "
                + "[('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_5x5', 3)], "), text)
        XCTAssertEqual(try Genotype(dartsText: text), dstGenotype)
        XCTAssertEqual(try Genotype(json: dstGenotype.jsonString()), dstGenotype)
    }

    func testParserAcceptsLooseSyntax() throws {
        let text = """
            genotype =
              ( reduce_concat = list(range(2, 6)),
                reduce=[[("max_pool_3x3",0), ('max_pool_3x3', 1)], [('skip_connect',2)],
                        [('sep_conv_3x3', 1), ("skip_connect", 2),],
                        [('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('dil_conv_3x3', 4)]],
                normal_concat = (2, 3, 4, 5),
                normal = [ [ ('sep_conv_3x3' , 0) ] ,
                  [('skip_connect', 0), ('dil_conv_3x3', 1), ('sep_conv_3x3', 2)],
                  [('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_5x5', 3)],
                  [('avg_pool_3x3', 1), ('dil_conv_5x5', 4)], ], )
            """
        XCTAssertEqual(try Genotype(dartsText: text), dstGenotype)
        let bare = "normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=range(3),"
            + " reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2]"
        let genotype = try Genotype(dartsText: bare)
        XCTAssertEqual(genotype.normalConcat, [0, 1, 2])
        XCTAssertEqual(genotype.reduce, [[Connection(.maxPool3x3, 0), Connection(.maxPool3x3, 1)]])
    }

    // MARK: malformed text

    private func assertTextError(
        _ text: String, contains fragments: [String], offset: Int? = nil, line: UInt = #line
    ) {
        XCTAssertThrowsError(try Genotype(dartsText: text), line: line) { error in
            let message = String(describing: error)
            XCTAssertFalse(message.contains("\n"), "multi-line message: \(message)", line: line)
            for fragment in fragments {
                XCTAssertTrue(message.contains(fragment), "'\(fragment)' not in: \(message)", line: line)
            }
            if let offset {
                XCTAssertEqual((error as? GenotypeTextError)?.offset, offset, message, line: line)
            }
        }
    }

    private let good = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2], "
        + "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])"

    func testGoodFixtureParses() {
        XCTAssertNoThrow(try Genotype(dartsText: good))
    }

    func testUnbalancedBrackets() {
        // '[' at offset 16 opens normal's list; the ']' is removed.
        assertTextError(
            good.replacingOccurrences(of: "('sep_conv_3x3', 1)],", with: "('sep_conv_3x3', 1),"),
            contains: ["unbalanced brackets", "'[' opened at offset 16"])
        assertTextError(good + ")", contains: ["unbalanced brackets", "')' closes nothing"], offset: good.count)
        assertTextError(String(good.dropLast()), contains: ["unbalanced brackets", "'(' is never closed"], offset: 8)
    }

    func testUnknownOpNamesTheTokenAndValidOps() {
        let text = good.replacingOccurrences(of: "'max_pool_3x3', 1", with: "'max_pool_9x9', 1")
        let offset = text.distance(from: text.startIndex, to: text.range(of: "'max_pool_9x9'")!.lowerBound)
        assertTextError(text, contains: ["unknown op 'max_pool_9x9'", "in 'reduce'", "sep_conv_3x3"], offset: offset)
    }

    func testMissingAndUnknownAndDuplicateFields() {
        assertTextError(
            good.replacingOccurrences(of: ", reduce_concat=[2]", with: ""),
            contains: ["missing field 'reduce_concat'"])
        assertTextError(
            good.replacingOccurrences(of: "normal_concat", with: "normal_concat_x"),
            contains: ["expected a field name", "'normal_concat_x'"], offset: 60)
        assertTextError(
            good.replacingOccurrences(of: "reduce_concat=[2]", with: "normal_concat=[2]"),
            contains: ["field 'normal_concat' appears twice"])
    }

    func testOddFlatList() {
        assertTextError(
            good.replacingOccurrences(of: "('sep_conv_3x3', 1)]", with: "('sep_conv_3x3', 1), ('skip_connect', 1)]"),
            contains: ["'normal' is a flat list of 3 connections", "two per node", "nested form"], offset: 16)
    }

    func testNonIntegerIndex() {
        assertTextError(
            good.replacingOccurrences(of: "('sep_conv_3x3', 1)", with: "('sep_conv_3x3', 1.5)"),
            contains: ["expected an integer input index of 'sep_conv_3x3'", "found '1.5'"], offset: 55)
        assertTextError(
            good.replacingOccurrences(of: "('sep_conv_3x3', 1)", with: "('sep_conv_3x3', 'one')"),
            contains: ["expected an integer", "found string 'one'"])
        assertTextError(
            good.replacingOccurrences(of: "normal_concat=[2]", with: "normal_concat=[two]"),
            contains: ["expected an integer index in 'normal_concat'", "found 'two'"])
    }

    /// A range's bounds come from the text: a huge span is refused before anything is allocated.
    func testHugeConcatRangesAreRefused() {
        let offset = good.distance(from: good.startIndex, to: good.range(of: "[2]")!.lowerBound)
        for range in ["range(4000000000)", "range(0, 9223372036854775807)",
                      "range(-9223372036854775808, 9223372036854775807)"] {
            assertTextError(good.replacingOccurrences(of: "normal_concat=[2]", with: "normal_concat=\(range)"),
                            contains: ["spans more indices than this genotype has states", "'normal_concat'"],
                            offset: offset)
        }
        // A range that names only states the genotype has still reads.
        XCTAssertEqual(try Genotype(dartsText: good.replacingOccurrences(of: "normal_concat=[2]", with: "normal_concat=range(2, 3)"))
            .normalConcat, [2])
    }

    func testOtherMalformedTexts() {
        assertTextError("Genotype(normal=[('sep_conv_3x3, 0)])", contains: ["unterminated string"], offset: 18)
        assertTextError(
            good.replacingOccurrences(of: "('sep_conv_3x3', 1)", with: "('sep_conv_3x3', 1, 2)"),
            contains: ["exactly two elements", "found '2'"])
        assertTextError(
            good.replacingOccurrences(of: "('sep_conv_3x3', 1)", with: "(sep_conv_3x3, 1)"),
            contains: ["expected a quoted op name", "found 'sep_conv_3x3'"])
        assertTextError(good + " extra", contains: ["unexpected 'extra' after the genotype"])
        assertTextError("Genotype(normal=[('sep_conv_3x3', 0)] ; )", contains: ["unexpected character ';'"], offset: 38)
        assertTextError("", contains: ["missing field 'normal'"], offset: 0)
    }

    func testTextIsValidated() {
        let text = good.replacingOccurrences(of: "('sep_conv_3x3', 1)", with: "('sep_conv_3x3', 2)")
        XCTAssertThrowsError(try Genotype(dartsText: text)) { error in
            XCTAssertEqual(error as? GenotypeError, .inputOutOfRange(cell: .normal, node: 2, input: 2))
        }
    }

    // MARK: validation

    private func assertInvalid(
        _ edit: (inout Genotype) -> Void, _ expected: GenotypeError, _ fragment: String, line: UInt = #line
    ) {
        var genotype = Genotype.dartsV2
        edit(&genotype)
        XCTAssertThrowsError(try genotype.validate(), line: line) { error in
            XCTAssertEqual(error as? GenotypeError, expected, line: line)
            XCTAssertTrue(String(describing: error).contains(fragment), String(describing: error), line: line)
        }
    }

    func testValidationErrors() {
        assertInvalid({ $0.normal[1] = [] }, .nodeWithoutInputs(cell: .normal, node: 3), "normal cell node 3 has no inputs")
        assertInvalid(
            { $0.reduce[0][1].input = 2 }, .inputOutOfRange(cell: .reduce, node: 2, input: 2),
            "reduce cell node 2 reads input 2, but node 2 may only read 0...1")
        assertInvalid(
            { $0.normal[3][0].input = -1 }, .inputOutOfRange(cell: .normal, node: 5, input: -1), "reads input -1")
        assertInvalid(
            { $0.normal[2][0].op = .none }, .noneConnection(cell: .normal, node: 4, input: 1),
            "'none' is never a connection")
        assertInvalid(
            { $0.reduceConcat = [2, 3, 6] }, .concatOutOfRange(cell: .reduce, index: 6, stateCount: 6),
            "reduce_concat index 6 is out of range 0...5")
        assertInvalid({ $0.normalConcat = [2, 2] }, .duplicateConcat(cell: .normal, index: 2), "lists index 2 twice")
        assertInvalid({ $0.normalConcat = [] }, .emptyConcat(cell: .normal), "normal_concat is empty")
        assertInvalid({ $0.reduce = [] }, .noNodes(cell: .reduce), "reduce cell has no intermediate nodes")
    }

    func testDifferentStepCountsPerCellAreAllowed() throws {
        var genotype = Genotype.dartsV2
        genotype.reduce.append([Connection(.skipConnect, 5)])
        genotype.reduceConcat = [2, 3, 4, 5, 6]
        XCTAssertNoThrow(try genotype.validate())
        XCTAssertEqual(genotype.steps(of: .reduce), 5)
        XCTAssertEqual(try Genotype(dartsText: genotype.dartsText), genotype)
    }

    // MARK: JSON errors

    func testMalformedJSONGivesOneLineErrors() {
        let unknownOp = Genotype.dartsV2.jsonString().replacingOccurrences(of: "dil_conv_3x3", with: "dil_conv_9x9")
        XCTAssertThrowsError(try Genotype(json: unknownOp)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("unknown op at normal[3][1].op"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertThrowsError(try Genotype(json: #"{"normal": [], "normal_concat": [2]}"#)) { error in
            XCTAssertTrue(String(describing: error).contains("missing key 'reduce'"), String(describing: error))
        }
        XCTAssertThrowsError(try Genotype(json: "{\"normal\": [[{\"op\": \"skip_connect\", \"input\": 0}]],"
            + " \"normal_concat\": [2], \"reduce\": [[]], \"reduce_concat\": [2]}")) { error in
            XCTAssertEqual(error as? GenotypeError, .nodeWithoutInputs(cell: .reduce, node: 2))
        }
        // Valid JSON of the wrong shape is named in JSON's words, not Foundation's: a list for
        // the whole, a number for a cell, an index that is not a whole number (which Foundation
        // calls "not valid JSON").
        let fractional = Genotype.dartsV2.jsonString().replacingOccurrences(of: "\"input\": 1}", with: "\"input\": 1.5}")
        for (json, expected) in [("[1, 2]", "wrong type at top level: expected an object with normal, normal_concat, reduce and reduce_concat"),
                                 (#"{"normal": 5}"#, "wrong type at normal: expected a list"),
                                 (fractional, "a value does not fit its field (inputs and concat entries are whole numbers from 0)")] {
            XCTAssertThrowsError(try Genotype(json: json)) { error in
                XCTAssertEqual(String(describing: error), "genotype JSON: " + expected)
            }
        }
    }

    /// Sizes from a file are bounded: more nodes than a search cell may have, or more connections
    /// than a node has (input, op) pairs, are refused before anything is built from them.
    func testOversizedCellsAreRefused() {
        let connection = Connection(.skipConnect, 0)
        let many = Genotype(normal: Array(repeating: [connection], count: 33), normalConcat: [2],
                            reduce: [[connection]], reduceConcat: [2])
        XCTAssertThrowsError(try many.validate()) {
            XCTAssertEqual($0 as? GenotypeError, .tooManyNodes(cell: .normal, count: 33))
            XCTAssertEqual("\($0)", "normal cell has 33 intermediate nodes; at most 32 are allowed")
        }
        let limit = 2 * Primitive.connectable
        let wide = Genotype(normal: [[connection]], normalConcat: [2],
                            reduce: [Array(repeating: connection, count: limit + 1)], reduceConcat: [2])
        XCTAssertThrowsError(try wide.validate()) {
            XCTAssertEqual($0 as? GenotypeError, .tooManyInputs(cell: .reduce, node: 2, count: limit + 1))
        }
        let widest = Genotype(normal: [[connection]], normalConcat: [2],
                              reduce: [Array(repeating: connection, count: limit)], reduceConcat: [2])
        XCTAssertNoThrow(try widest.validate())
    }

    /// A file that is empty, or not text at all, says so and names both forms a genotype file takes.
    func testEmptyAndBinaryGenotypeFilesAreNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("genotype-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes, reason) in [("empty.txt", Data(" \n".utf8), "the file is empty"),
                                      ("binary.txt", Data([0xff, 0xfe, 0x00, 0x80, 0xc3]), "not UTF-8 text")] {
            let path = directory.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Genotype.load(path: path)) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains(name) && message.contains(reason), message)
                XCTAssertTrue(message.contains("DARTS' text form") && message.contains("JSON"), message)
            }
        }
    }

    // MARK: resolve

    func testResolveNamesFilesAndInlineText() throws {
        XCTAssertEqual(try Genotype.resolve("pc_darts"), .pcDarts)
        XCTAssertEqual(try Genotype.resolve(originalTexts["DARTS_V1"]!), .dartsV1)

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("genotype-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jsonPath = directory.appendingPathComponent("dst.json").path
        let textPath = directory.appendingPathComponent("nasnet.txt").path
        try dstGenotype.jsonString().write(toFile: jsonPath, atomically: true, encoding: .utf8)
        try originalTexts["NASNet"]!.write(toFile: textPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Genotype.resolve(jsonPath), dstGenotype)
        XCTAssertEqual(try Genotype.resolve(textPath), .nasnet)

        let brokenPath = directory.appendingPathComponent("broken.txt").path
        try "normal=[".write(toFile: brokenPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Genotype.resolve(brokenPath)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("broken.txt") && message.contains("unbalanced brackets"), message)
        }
    }

    func testResolveErrors() {
        XCTAssertThrowsError(try Genotype.resolve("ENAS")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("'ENAS' is not a built-in genotype"), message)
            XCTAssertTrue(message.contains("DARTS_V2") && message.contains("PC_DARTS_cifar"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertThrowsError(try Genotype.resolve("/nonexistent/arch.json")) { error in
            XCTAssertEqual(error as? GenotypeSpecError, .missingFile(path: "/nonexistent/arch.json"))
        }
    }

    func testKeptFractionAndDensityWarning() throws {
        let darts = try XCTUnwrap(Genotype.named("DARTS_V2"))
        XCTAssertEqual(darts.keptFraction(of: .normal), 8.0 / 98.0, accuracy: 1e-12)
        XCTAssertNil(darts.densityWarning)
        let ops: [Primitive] = [.maxPool3x3, .avgPool3x3, .skipConnect, .sepConv3x3, .sepConv5x5, .dilConv3x3, .dilConv5x5]
        let full = (0..<4).map { step in (0...(step + 1)).flatMap { input in ops.map { Connection($0, input) } } }
        var dense = Genotype(normal: full, normalConcat: [2, 3, 4, 5], reduce: darts.reduce, reduceConcat: [2, 3, 4, 5])
        try dense.validate()
        XCTAssertEqual(dense.keptFraction(of: .normal), 1)
        let warning = try XCTUnwrap(dense.densityWarning)
        XCTAssertTrue(warning.contains("normal 100%"), warning)
        XCTAssertFalse(warning.contains("reduce"), warning)
        // Exactly half is not dense; one more candidate is.
        dense.normal = zip(full, [7, 11, 14, 17]).map { Array($0.prefix($1)) }
        XCTAssertEqual(dense.keptFraction(of: .normal), 0.5)
        XCTAssertNil(dense.densityWarning)
        dense.normal[0] = Array(full[0].prefix(8))
        XCTAssertNotNil(dense.densityWarning)
    }

    /// The densest node over both cells, which a cell's kept share hides: one node with 21 of its
    /// 35 candidates in a cell whose other nodes keep one each is 60%, the cell 24 of 98.
    func testLargestNodeShareFindsTheDenseNode() throws {
        let darts = try XCTUnwrap(Genotype.named("DARTS_V2"))
        XCTAssertEqual(darts.largestNodeShare(), 2.0 / 14.0, accuracy: 1e-12)
        let ops: [Primitive] = [.maxPool3x3, .avgPool3x3, .skipConnect, .sepConv3x3, .sepConv5x5, .dilConv3x3, .dilConv5x5]
        let last = (0...4).flatMap { input in ops.map { Connection($0, input) } }
        let sparse = [[Connection(.skipConnect, 0)], [Connection(.sepConv3x3, 1)], [Connection(.maxPool3x3, 2)]]
        let dense = Genotype(normal: darts.normal, normalConcat: [2, 3, 4, 5],
                             reduce: sparse + [Array(last.prefix(21))], reduceConcat: [2, 3, 4, 5])
        try dense.validate()
        XCTAssertEqual(dense.largestNodeShare(), 0.6, accuracy: 1e-12)
        XCTAssertEqual(dense.keptFraction(of: .reduce), 24.0 / 98.0, accuracy: 1e-12)
        // Read back from its text, as the experiment reads a unit's genotype.
        XCTAssertEqual(try Genotype(dartsText: dense.dartsText).largestNodeShare(), 0.6, accuracy: 1e-12)
    }
    /// The agreement of two derived cells: kept (cell, node, input, op) candidates shared over
    /// kept by either. One op changed on one edge of DARTS_V2 leaves 15 of 17; the same pairs in
    /// the other cell type are other candidates; a pair listed twice counts once.
    func testAgreementIsTheJaccardIndexOfTheKeptCandidates() throws {
        let darts = try XCTUnwrap(Genotype.named("DARTS_V2"))
        XCTAssertEqual(darts.agreement(with: darts), 1)
        var changed = darts
        changed.normal[3][1] = Connection(.sepConv3x3, 2)
        XCTAssertEqual(darts.agreement(with: changed), 15.0 / 17.0, accuracy: 1e-12)
        XCTAssertEqual(changed.agreement(with: darts), 15.0 / 17.0, accuracy: 1e-12)
        let swapped = Genotype(normal: darts.reduce, normalConcat: darts.normalConcat, reduce: darts.normal, reduceConcat: darts.reduceConcat)
        XCTAssertEqual(darts.agreement(with: swapped), 0)
        var doubled = darts
        doubled.normal[0].append(doubled.normal[0][0])
        XCTAssertEqual(darts.agreement(with: doubled), 1)
        // A DST node that keeps three more candidates: 16 shared of 19.
        var wider = darts
        wider.reduce[3] += [Connection(.sepConv5x5, 4), Connection(.avgPool3x3, 3), Connection(.dilConv5x5, 0)]
        try wider.validate()
        XCTAssertEqual(try Genotype(dartsText: wider.dartsText).agreement(with: darts), 16.0 / 19.0, accuracy: 1e-12)
    }
}
