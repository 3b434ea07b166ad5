import XCTest
@testable import Reporting

/// One escaper for HTML reports and SVG charts.
final class MarkupTextTests: XCTestCase {
    func testEscapesTheFiveSpecialCharactersOnce() {
        XCTAssertEqual(MarkupText.escape(#"<a href="x">EnTranNAS' & DARTS</a>"#),
                       "&lt;a href=&quot;x&quot;&gt;EnTranNAS&apos; &amp; DARTS&lt;/a&gt;")
        XCTAssertEqual(MarkupText.escape("&amp;"), "&amp;amp;", "escaped text is escaped again, never taken as markup")
        XCTAssertEqual(MarkupText.escape("plain ö"), "plain ö")
    }

    /// Markdown's inline markup is applied after escaping, so a `<` inside code stays text.
    func testMarkdownInlineEscapesBeforeItAddsTags() {
        XCTAssertEqual(Markdown.inline("`a<b` and **x & y**"), "<code>a&lt;b</code> and <strong>x &amp; y</strong>")
    }
}
