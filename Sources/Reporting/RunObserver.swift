/// What a search or a training run shows while it works. Runs write their own files
/// (checkpoint, metrics.jsonl, log.txt, results) and call an observer only to display, so a
/// program using the library gets the same files with or without one, and a failed write stops
/// the run instead of becoming a display's warning.
public protocol RunObserver: AnyObject {
    /// A stretch of work of `total` units begins: an epoch ("img"), a test pass, a whole search
    /// ("step"). `done` units were finished before it started (a resumed run).
    func progressWillStart(label: String, total: Int, unit: String, done: Int)
    /// `done` units are finished; `metrics` are running values in display order ("loss", "0.512").
    func progress(done: Int, metrics: [(String, String)])
    /// The stretch of work ended (finished or stopped).
    func progressDidFinish()
    /// A line the run has just written to its log (a header, an epoch's summary, a result).
    func runDidLog(_ line: String)
}
