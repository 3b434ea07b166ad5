import ArgumentParser

/// `--output ""` is the current folder to Foundation, so a run would spread its files wherever
/// the command was started: every command that writes a folder refuses it.
func refuseEmptyOutput(_ output: String?) throws {
    if let output, output.allSatisfy(\.isWhitespace) {
        throw ValidationError("--output must name a folder, got an empty path")
    }
}
