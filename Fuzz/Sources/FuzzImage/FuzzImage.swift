import Datasets
import FuzzSupport

/// JPEG and PNG files of image folders, through libjpeg-turbo and libpng.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? PixelImage.decode(bytes(data, size), file: "fuzz")
    return 0
}

@_cdecl("FuzzImage_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
