import Foundation

/// libFuzzer's driver: runs `callback` on generated inputs until told to stop.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The entry point every target's `<Target>_main` forwards to. SwiftPM names an executable's
/// entry point `<Target>_main` and points `main` at it, so the target defines that symbol and
/// hands its `LLVMFuzzerTestOneInput` to libFuzzer's driver here.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}

/// The input as bytes.
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// A file holding the input, for readers that take a path: one per process, rewritten per input.
public func inputFile(_ data: UnsafePointer<UInt8>?, _ size: Int, name: String) -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("entrannas-fuzz-\(getpid())-\(name)")
    if !FileManager.default.createFile(atPath: url.path, contents: Data(bytes(data, size))) {
        fatalError("cannot write \(url.path)")  // the fuzzing machine's problem, not the reader's
    }
    return url
}
