/// Nouns with a count.
public enum Plural {
    /// The count and its noun, singular for one: "1 epoch", "40 epochs". The main job trains for
    /// one epoch, and its log and reports read "1 epochs" before this.
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
