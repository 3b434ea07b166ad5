import Foundation

/// A report as blocks (headings, bullet lists, tables, paragraphs), rendered to Markdown for
/// report.md and to HTML for report.html from the same blocks, so the page never re-reads the
/// Markdown. Text may hold `code` spans.
public struct ReportDocument: Sendable {
    public enum Block: Sendable {
        case heading(level: Int, String)
        case bullets([String])
        /// `rightAligned[i]` right-aligns column i (numbers).
        case table(header: [String], rightAligned: [Bool], rows: [[String]])
        case paragraph(String)
    }

    public var blocks: [Block]

    public init(_ blocks: [Block]) { self.blocks = blocks }

    /// The document as Markdown: blocks separated by blank lines.
    public var markdown: String {
        blocks.map { block -> String in
            switch block {
            case .heading(let level, let text): return String(repeating: "#", count: level) + " " + text
            case .bullets(let items): return items.map { "- " + $0 }.joined(separator: "\n")
            case .table(let header, let right, let rows):
                let rule = header.indices.map { right.indices.contains($0) && right[$0] ? "---:" : "---" }
                return ([header, rule] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
            case .paragraph(let text): return text
            }
        }.joined(separator: "\n\n") + "\n"
    }

    /// The document as HTML elements (headings one level down: the page has the h1).
    public var html: String {
        blocks.map { block -> String in
            switch block {
            case .heading(let level, let text): return "<h\(level + 1)>\(Markdown.inline(text))</h\(level + 1)>"
            case .bullets(let items): return "<ul>" + items.map { "<li>\(Markdown.inline($0))</li>" }.joined() + "</ul>"
            case .table(let header, _, let rows):
                let head = header.map { "<th>\(Markdown.inline($0))</th>" }.joined()
                let body = rows.map { "<tr>" + $0.map { "<td>\(Markdown.inline($0))</td>" }.joined() + "</tr>" }.joined()
                return "<table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
            case .paragraph(let text): return "<p>\(Markdown.inline(text))</p>"
            }
        }.joined(separator: "\n")
    }
}
