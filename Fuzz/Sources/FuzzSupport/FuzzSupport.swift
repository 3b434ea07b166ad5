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
    let url = scratch(name)
    write(bytes(data, size)[...], to: url)
    return url
}

/// An empty folder for readers of a whole folder: one per process, emptied per input.
public func inputFolder(name: String) -> URL {
    let url = scratch(name)
    try? FileManager.default.removeItem(at: url)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes part of an input to `url`.
public func write(_ bytes: ArraySlice<UInt8>, to url: URL) {
    if !FileManager.default.createFile(atPath: url.path, contents: Data(bytes)) {
        fatalError("cannot write \(url.path)")  // the fuzzing machine's problem, not the reader's
    }
}

/// A per-process path in the temporary folder.
private func scratch(_ name: String) -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("entrannas-fuzz-\(getpid())-\(name)")
}
