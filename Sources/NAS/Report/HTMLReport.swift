import Foundation
import Torch

/// `report.html`: one self-contained page per run folder (inline SVG, inline CSS, no network;
/// written as well-formed XHTML, so an XML parser can check it),
/// rebuilt from the folder's files alone, so it also works for an interrupted run and after the
/// fact (`entrannas report DIR`). Search and training runs show settings, genotype and cell
/// diagrams, the consistency table or test result, plots, timings and links to the files; a
/// `run` folder adds its summary (`RunReport`) above both parts; an experiment folder renders results.md
/// and links every unit's report.
public enum HTMLReport {
    /// Builds the page for `folder` and writes `folder/report.html` atomically.
    @discardableResult
    public static func write(for folder: URL) throws -> URL {
        let target = folder.appendingPathComponent("report.html")
        try AtomicFile.write(try html(for: folder), to: target)
        return target
    }

    /// The page for a run, `run` or experiment folder.
    public static func html(for folder: URL) throws -> String {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder.path) else {
            throw RunError("\(folder.path) does not exist; give the --output folder of a search, train, run or experiment")
        }
        let name = folder.lastPathComponent
        if fm.fileExists(atPath: folder.appendingPathComponent("results.json").path) {
            return page("entrannas experiment: \(name)", experimentBody(folder))
        }
        let search = folder.appendingPathComponent("search"), train = folder.appendingPathComponent("train")
        if fm.fileExists(atPath: search.path) || fm.fileExists(atPath: train.path) {
            // The run's own summary from its data (run.json); a folder written before run.json
            // existed has only report.md, shown as it is.
            var body = try RunReport.read(from: folder)?.document.html
                ?? read(folder.appendingPathComponent("report.md")).map(Markdown.html) ?? ""
            for part in [search, train] where fm.fileExists(atPath: part.path) {
                body += "<h2>\(part.lastPathComponent)/</h2>" + (try runBody(part, try RunFiles(part), prefix: part.lastPathComponent + "/"))
            }
            return page("entrannas run: \(name)", body)
        }
        guard fm.fileExists(atPath: folder.appendingPathComponent("metrics.jsonl").path)
                || fm.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw RunError("\(folder.path) holds no run (no metrics.jsonl, config.json or results.json); "
                           + "give the --output folder of a search, train, run or experiment")
        }
        let files = try RunFiles(folder)
        return page("entrannas \(files.isSearch ? "search" : "training"): \(name)", try runBody(folder, files, prefix: ""))
    }

    // MARK: one search or training run

    /// What a search or training folder holds, read once per page: its metrics records, its
    /// settings (config.json), and which kind of run it is.
    struct RunFiles {
        let records: [[String: Any]]
        let settings: [String: Any]
        /// report.json: a search's consistency result (nil without one, or when it is damaged).
        let report: [String: Any]?
        let isSearch: Bool
        /// Files that are there but cannot be read, each with what the page leaves out for it:
        /// shown at the top, not skipped without a word.
        let unreadable: [String]

        init(_ folder: URL) throws {
            let metrics = folder.appendingPathComponent("metrics.jsonl")
            records = FileManager.default.fileExists(atPath: metrics.path) ? try MetricsLog.read(metrics) : []
            var unreadable: [String] = []
            let config = folder.appendingPathComponent("config.json")
            if let object = HTMLReport.jsonObject(config) {
                settings = object
            } else {
                settings = [:]
                if FileManager.default.fileExists(atPath: config.path) { unreadable.append("config.json (the settings are not shown)") }
            }
            let reportFile = folder.appendingPathComponent("report.json")
            report = HTMLReport.jsonObject(reportFile)
            if report == nil && FileManager.default.fileExists(atPath: reportFile.path) {
                unreadable.append("report.json (the consistency result is not shown)")
            }
            self.unreadable = unreadable
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) {
                isSearch = false
            } else if let first = records.first {
                isSearch = first["normal_weights"] != nil
            } else {
                isSearch = settings["genotype"] == nil
            }
        }
    }

    static func runBody(_ folder: URL, _ files: RunFiles, prefix: String) throws -> String {
        let fm = FileManager.default
        let (search, records, settings) = (files.isSearch, files.records, files.settings)
        var body = ""

        // Status.
        let total = (settings["epochs"] as? Int) ?? (records.last?["epochs"] as? Int)
        let finished = search ? fm.fileExists(atPath: folder.appendingPathComponent("report.json").path)
            : fm.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path)
        let done = total.map { "\(records.count) of \(Plural.counted($0, "epoch"))" } ?? Plural.counted(records.count, "epoch")
        for file in files.unreadable {
            body += "<p class=\"warn\">\(MarkupText.escape(file)) cannot be read as a JSON object: the file is damaged.</p>"
        }
        body += finished ? "<p class=\"ok\">Finished: \(done).</p>"
            : "<p class=\"warn\">Not finished (interrupted or still running): \(done) in metrics.jsonl. "
              + "Continue it with the same command plus <code>--resume</code>.</p>"

        // Genotype and diagrams.
        if let genotype = read(folder.appendingPathComponent("genotype.txt")) ?? (settings["genotype"] as? String) {
            body += "<h3>Genotype</h3><pre>\(MarkupText.escape(genotype.trimmingCharacters(in: .whitespacesAndNewlines)))</pre>"
        } else if let last = records.last?["genotype"] as? String {
            body += "<h3>Genotype at epoch \(records.count)</h3><pre>\(MarkupText.escape(last))</pre>"
        }
        let diagrams = ["normal", "reduce"].compactMap { cell in
            read(folder.appendingPathComponent("\(cell).svg")).map { "<figure>\(inlineSVG($0))<figcaption>\(cell) cell</figcaption></figure>" }
        }
        if !diagrams.isEmpty { body += "<div class=\"cells\">\(diagrams.joined())</div>" }

        // Result.
        if let object = files.report {
            let superNet = (object["super_net_accuracy"] as? Double) ?? .nan
            let derived = (object["derived_accuracy"] as? Double) ?? .nan
            body += "<h3>Consistency (validation split, end of search)</h3><table><tr><th>network</th><th>accuracy</th><th>loss</th></tr>"
                + row(["super-net", pct(superNet), num(object["super_net_loss"])])
                + row(["derived net, inherited weights", pct(derived), num(object["derived_loss"])])
                + row(["gap (points)", String(format: "%+.2f", 100 * (superNet - derived)), ""]) + "</table>"
        }
        if !search, let last = records.last, let top1 = last["test_top1"] as? Double {
            body += String(format: "<h3>Test accuracy</h3><p class=\"big\">%.2f%% top-1, %.2f%% top-5</p>",
                           top1, (last["test_top5"] as? Double) ?? .nan)
        }

        // Plots.
        if !records.isEmpty {
            let width = (records.first?["normal_weights"] as? [[Any]])?.first?.count ?? Primitive.darts.count
            let primitives = width == Primitive.darts.count ? Primitive.darts : Primitive.darts.filter { $0 != .none }
            body += "<h3>Plots</h3><div class=\"plots\">"
                + RunPlots(records: records, primitives: primitives.map(\.rawValue)).plots
                    .map { "<figure>\(inlineSVG($0.svg))</figure>" }.joined() + "</div>"
            let seconds = records.compactMap { ($0["seconds"] as? NSNumber)?.doubleValue }
            body += "<h3>Timings</h3><p>\(Plural.counted(records.count, "epoch")) in \(ProgressBar.formatDuration(seconds.reduce(0, +)))"
                + (seconds.isEmpty ? "" : ", \(String(format: "%.1f", seconds.reduce(0, +) / Double(seconds.count))) s per epoch")
                + ((records.last?["cpu_seconds"] as? NSNumber).map { "; CPU time \(ProgressBar.formatDuration($0.doubleValue)) over every process and rank" } ?? "")
                + "</p>"
        }

        // Where the steps' time goes (--profile).
        if let profile = read(folder.appendingPathComponent("profile.md")) { body += Markdown.html(profile) }

        // Settings and files.
        if !settings.isEmpty {
            body += "<h3>Settings</h3><table>" + settings.keys.sorted().filter { $0 != "genotype" }
                .map { row([$0, "\(settings[$0]!)"]) }.joined() + "</table>"
        }
        let files = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        body += "<h3>Files</h3><ul class=\"files\">" + files.map { "<li><a href=\"\(MarkupText.escape(prefix + $0))\">\(MarkupText.escape($0))</a></li>" }.joined() + "</ul>"
        return body
    }

    // MARK: experiment

    static func experimentBody(_ folder: URL) -> String {
        var body = read(folder.appendingPathComponent("results.md")).map(Markdown.html) ?? ""
        let units = folder.appendingPathComponent("units")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: units.path)) ?? []).sorted()
        body += "<h2>Unit reports</h2><ul class=\"files\">" + names.map { name in
            let sub = ["", "search/", "train/"].first { FileManager.default.fileExists(atPath: units.appendingPathComponent(name + "/" + $0 + "report.html").path) }
            return sub.map { "<li><a href=\"units/\(MarkupText.escape(name))/\($0)report.html\">\(MarkupText.escape(name))</a></li>" }
                ?? "<li>\(MarkupText.escape(name))</li>"
        }.joined() + "</ul>"
        return body
    }

    // MARK: pieces

    static func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/><title>\(MarkupText.escape(title))</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
        h1{font-size:22px}h2{font-size:19px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:16px;margin-top:24px}
        table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:13px}
        th{background:#f4f4f4}pre,code{font-family:ui-monospace,monospace;font-size:12px}pre{background:#f7f7f7;padding:8px;white-space:pre-wrap;word-break:break-all}
        .cells,.plots{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}figure{margin:0}figcaption{text-align:center;font-size:13px;color:#555}
        .cells svg{max-width:560px;height:auto}.ok{color:#1a7f37}.warn{color:#b35900}.big{font-size:20px}.files{columns:3;font-size:13px}
        </style></head><body>
        <h1>\(MarkupText.escape(title))</h1>
        <p style="color:#666;font-size:13px">Built \(timestamp()) from the folder's files by entrannas; rebuild with <code>entrannas report DIR</code>.</p>
        \(body)
        </body></html>

        """
    }

    static func row(_ cells: [String]) -> String { "<tr>" + cells.map { "<td>\(MarkupText.escape($0))</td>" }.joined() + "</tr>" }
    static func pct(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
    static func num(_ x: Any?) -> String { ((x as? NSNumber)?.doubleValue).map { String(format: "%.4f", $0) } ?? "" }

    static func read(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    /// The JSON object in `url`, or nil when it is missing or is not one.
    static func jsonObject(_ url: URL) -> [String: Any]? {
        (try? Data(contentsOf: url)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// An SVG file's `<svg>` element alone (no XML prolog or DOCTYPE), for inlining in HTML.
    static func inlineSVG(_ text: String) -> String {
        guard let start = text.range(of: "<svg") else { return "" }
        return String(text[start.lowerBound...])
    }

    private static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date())
    }
}
