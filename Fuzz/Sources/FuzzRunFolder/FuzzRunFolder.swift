import Foundation
import FuzzSupport
import NAS

/// A run folder as `entrannas report` and every epoch's report.html read it. The input is cut
/// at NUL bytes into metrics.jsonl, config.json, report.json, genotype.txt and profile.md (the
/// Markdown renderer); the page is built from them, and every metrics record is turned into
/// TensorBoard scalars as a resumed run does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let folder = inputFolder(name: "run")
    let parts = bytes(data, size).split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false)
    for (part, name) in zip(parts, ["metrics.jsonl", "config.json", "report.json", "genotype.txt", "profile.md"]) {
        write(part, to: folder.appendingPathComponent(name))
    }
    _ = try? HTMLReport.html(for: folder)
    if let records = try? MetricsLog.read(folder.appendingPathComponent("metrics.jsonl")) {
        for record in records { _ = TensorBoardLog.scalars(record, primitives: ["none", "skip_connect"]) }
    }
    return 0
}

@_cdecl("FuzzRunFolder_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
