import FuzzSupport
import NAS

/// genotype.json, as searches write it and `--genotype FILE.json` reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let genotype = try? Genotype(json: String(decoding: bytes(data, size), as: UTF8.self)) {
        _ = try? genotype.validate()
        _ = try? Genotype(json: genotype.jsonString())
    }
    return 0
}

@_cdecl("FuzzGenotypeJSON_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
