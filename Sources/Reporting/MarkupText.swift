/// Text placed in HTML or SVG markup, which give `&`, `<`, `>` and both quotes a meaning: one
/// escaper for the reports (HTML) and the charts (SVG), so the two cannot drift apart.
public enum MarkupText {
    /// `text` with the five XML special characters escaped, for element text and attribute
    /// values alike (`&apos;` is valid in HTML5 as in XML).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
