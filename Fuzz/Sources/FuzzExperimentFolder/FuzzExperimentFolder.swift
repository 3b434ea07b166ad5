import Foundation
import FuzzSupport
import NAS

/// An experiment folder as `entrannas report` reads it: the input is cut at NUL bytes into
/// experiment.json (plan and settings: counts come from the file) and result.json files for
/// the plan's first units (accuracies, sizes, costs); the summary's statistics, results.md,
/// results.json and report.html are built from them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let folder = inputFolder(name: "experiment")
    let parts = bytes(data, size).split(separator: 0, omittingEmptySubsequences: false)
    write(parts[0], to: folder.appendingPathComponent("experiment.json"))
    let run = RunDirectory(url: folder)
    guard let experiment = try? Experiment(opening: run) else { return 0 }
    for (unit, result) in zip(experiment.plan.units, parts.dropFirst().prefix(16)) {
        let unitFolder = experiment.folder(of: unit).url
        try? FileManager.default.createDirectory(at: unitFolder, withIntermediateDirectories: true)
        write(result, to: unitFolder.appendingPathComponent("result.json"))
    }
    try? experiment.writeSummary(experiment.finishedResults())
    return 0
}

@_cdecl("FuzzExperimentFolder_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
