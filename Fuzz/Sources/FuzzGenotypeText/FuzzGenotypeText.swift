import FuzzSupport
import NAS

/// DARTS genotype text, as `--genotype` and genotype.txt files give it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let genotype = try? Genotype(dartsText: String(decoding: bytes(data, size), as: UTF8.self)) {
        _ = try? Genotype(dartsText: genotype.dartsText)  // what it prints must read back
    }
    return 0
}

@_cdecl("FuzzGenotypeText_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
