import Datasets
import FuzzSupport

/// CIFAR-10 and CIFAR-100 binary batches (one or two label bytes, then 3,072 pixels a record).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let file = inputFile(data, size, name: "cifar.bin").path
    _ = try? CIFARBinary(labelRanges: [10], labelIndex: 0).read(files: [file])
    _ = try? CIFARBinary(labelRanges: [20, 100], labelIndex: 1).read(files: [file])
    return 0
}

@_cdecl("FuzzCIFAR_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
