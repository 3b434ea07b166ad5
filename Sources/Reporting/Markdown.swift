import Foundation

/// Just enough Markdown to HTML for the reports this tool writes itself (report.md,
/// results.md): headings, pipe tables, bullet lists, paragraphs, `code` and **bold**.
public enum Markdown {
    /// `text` as HTML elements.
    public static func html(_ text: String) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        var list: [String] = []
        var table: [[String]] = []
        func flush() {
            if !paragraph.isEmpty { out.append("<p>" + paragraph.map(inline).joined(separator: " ") + "</p>") }
            if !list.isEmpty { out.append("<ul>" + list.map { "<li>" + inline($0) + "</li>" }.joined() + "</ul>") }
            if !table.isEmpty {
                let header = table[0].map { "<th>" + inline($0) + "</th>" }.joined()
                let body = table.dropFirst().map { "<tr>" + $0.map { "<td>" + inline($0) + "</td>" }.joined() + "</tr>" }
                out.append("<table><thead><tr>\(header)</tr></thead><tbody>\(body.joined())</tbody></table>")
            }
            paragraph = []; list = []; table = []
        }
        for raw in text.components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { flush(); continue }
            if let level = line.firstIndex(where: { $0 != "#" }).map({ line.distance(from: line.startIndex, to: $0) }),
               (1...4).contains(level), line.dropFirst(level).first == " " {
                flush()
                out.append("<h\(level + 1)>\(inline(String(line.dropFirst(level + 1))))</h\(level + 1)>")
            } else if line.hasPrefix("|") {
                if !list.isEmpty || !paragraph.isEmpty { flush() }
                let cells = line.trimmingCharacters(in: CharacterSet(charactersIn: "|")).components(separatedBy: "|")
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ !$0.isEmpty && $0.allSatisfy { "-:".contains($0) } }) { continue }
                table.append(cells)
            } else if line.hasPrefix("- ") {
                if !paragraph.isEmpty || !table.isEmpty { flush() }
                list.append(String(line.dropFirst(2)))
            } else {
                if !list.isEmpty || !table.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }

    /// Escapes the text, then turns `code` and **bold** into tags.
    public static func inline(_ text: String) -> String {
        var s = MarkupText.escape(text)
        s = s.replacingOccurrences(of: #"`([^`]*)`"#, with: "<code>$1</code>", options: .regularExpression)
        s = s.replacingOccurrences(of: #"\*\*([^*]+)\*\*"#, with: "<strong>$1</strong>", options: .regularExpression)
        return s
    }
}
