import ArgumentParser
import Foundation
import NAS

/// `entrannas draw`: the cells of a genotype as DARTS draws them.
struct DrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Draw the normal and reduction cells of a genotype (DOT, and SVG and PNG through Graphviz).",
        discussion: """
        Writes normal.dot and reduce.dot to --output, and renders each as SVG and PNG with Graphviz's `dot` \
        (Debian: graphviz; scripts/install-deps.sh installs it).

        Examples:
          entrannas draw --genotype DARTS_V2
          entrannas draw --genotype runs/search-entrannas-dst-seed2/genotype.json --output cells/
        """)

    @Option(help: "A built-in name (\(Genotype.builtinNames.joined(separator: ", "))), a genotype.json or genotype.txt file, or DARTS genotype text.")
    var genotype: String
    @Option(help: "Output folder (default: cells-NAME).")
    var output: String?

    func validate() throws { try refuseEmptyOutput(output) }

    func run() throws {
        let resolved = try Genotype.resolve(genotype)
        let folder = URL(fileURLWithPath: output ?? "cells-\(genotypeLabel(genotype))")
        try RunDirectory.createOutputFolder(folder)
        if CellDiagrams.graphviz == nil {
            FileHandle.standardError.write(Data("warning: graphviz's `dot` is not installed (apt-get install graphviz): writing DOT files only\n".utf8))
        }
        for file in try CellDiagrams.write(resolved, to: folder) { print("wrote \(file.path)") }
    }
}
