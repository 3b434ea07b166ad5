import FuzzSupport
import Reporting

/// TensorBoard event files: TFRecord lengths and CRCs, then protobuf field keys, varints and
/// lengths, all from the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? TensorBoardEventReader(fileURL: inputFile(data, size, name: "events.out.tfevents")).readEvents()
    return 0
}

@_cdecl("FuzzTensorBoardEvents_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
