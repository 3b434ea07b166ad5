import Foundation

/// Reads a whole file, turning every failure into a `DatasetError` that names the path.
func readFile(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DatasetError.corrupt(file: path, reason: "file not found")
    }
    guard !isDirectory.boolValue else {
        throw DatasetError.corrupt(file: path, reason: "is a folder, expected a file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DatasetError.corrupt(file: path, reason: "cannot be read (permissions?)")
    }
    return [UInt8](data)
}

/// What is at `path`: nothing, a file or a folder.
enum PathKind {
    case none, file, folder

    init(_ path: String) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            self = .none
        } else {
            self = isDirectory.boolValue ? .folder : .file
        }
    }
}

/// `folder/name`, with exactly one slash between them.
func joinPath(_ folder: String, _ name: String) -> String {
    folder.hasSuffix("/") ? folder + name : folder + "/" + name
}
