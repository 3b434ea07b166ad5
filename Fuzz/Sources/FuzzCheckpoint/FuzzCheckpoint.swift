import FuzzSupport
import NAS

/// Checkpoints and trained models: the safetensors file, then its metadata (configuration JSON,
/// epoch, batch, seed) as `--resume` and `eval` read them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let file = inputFile(data, size, name: "checkpoint.safetensors")
    if let checkpoint = try? Checkpoint.load(from: file) {
        _ = try? TrainingConfiguration(json: checkpoint.configuration, source: file.path)
    }
    _ = try? TrainedModel.load(path: file.path)
    return 0
}

@_cdecl("FuzzCheckpoint_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
