import Foundation
import Datasets
import FuzzSupport

/// IDX files (MNIST, Fashion-MNIST), gzipped or not, read from a file as the datasets read them
/// (gzip inflated no further than the header announces): the first byte picks the rank (images
/// 3, labels 1), the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let first = input.first else { return 0 }
    let file = inputFile(nil, 0, name: "file.idx")
    write(input.dropFirst(), to: file)
    _ = try? IDXArray(contentsOf: file.path, rank: first % 2 == 0 ? 3 : 1)
    return 0
}

@_cdecl("FuzzIDX_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
