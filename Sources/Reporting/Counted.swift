/// A count with its noun, singular for one: "1 epoch", "40 epochs". The main job trains for one
/// epoch, and its log and report read "1 epochs" before this.
public func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
