import Datasets

/// The line a run logs at its end when `--unreadable skip` passed over broken image files:
/// how many, and which (the first few), so a skipped file is never silent.
func unreadableImagesLine(_ datasets: [Dataset]) -> String? {
    let paths = datasets.compactMap(\.files).flatMap(\.unreadablePaths)
    guard !paths.isEmpty else { return nil }
    let shown = paths.prefix(5).joined(separator: ", ")
    return "skipped \(paths.count) unreadable image file(s) (--unreadable skip): \(shown)"
        + (paths.count > 5 ? ", and \(paths.count - 5) more" : "")
}
