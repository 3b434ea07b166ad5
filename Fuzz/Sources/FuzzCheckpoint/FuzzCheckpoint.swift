import FuzzSupport
import NAS

/// Checkpoints and trained models: the safetensors file, then its metadata (configuration JSON,
/// epoch, batch, seed) as `--resume` (a training's and a search's) and `eval` read them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let file = inputFile(data, size, name: "checkpoint.safetensors")
    if let checkpoint = try? Checkpoint.load(from: file) {
        _ = try? TrainingConfiguration(json: checkpoint.configuration, source: file.path)
        // What `search --resume` without flags builds its search from, checked as it does.
        if let stored = try? StoredSearch(json: checkpoint.configuration, seed: checkpoint.dataSeed, source: file.path) {
            _ = try? stored.config.validate()
            _ = try? stored.hyper.validate()
        }
    }
    _ = try? TrainedModel.load(path: file.path)
    return 0
}

@_cdecl("FuzzCheckpoint_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
