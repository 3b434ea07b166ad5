import Datasets
import FuzzSupport

/// IDX files (MNIST, Fashion-MNIST), gzipped or not: the first byte picks the rank (images 3,
/// labels 1), the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let first = input.first else { return 0 }
    var file = Array(input.dropFirst())
    if Gzip.isGzip(file) {
        guard let inflated = try? Gzip.decompress(file, file: "fuzz.gz") else { return 0 }
        file = inflated
    }
    _ = try? IDXArray(parsing: file, rank: first % 2 == 0 ? 3 : 1, file: "fuzz")
    return 0
}

@_cdecl("FuzzIDX_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
