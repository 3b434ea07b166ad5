import FuzzSupport
import Torch

/// Safetensors files: the header's lengths, offsets, shapes and dtypes come from the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? Safetensors.load(from: inputFile(data, size, name: "fuzz.safetensors"))
    return 0
}

@_cdecl("FuzzSafetensors_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
