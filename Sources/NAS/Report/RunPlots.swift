import Foundation

/// The pictures of a run, drawn from its metrics.jsonl records (search or training): losses and
/// accuracies per epoch, the consistency gap (with `--gap-every`), the learning rate, every edge's
/// op weights over the epochs (separation, or the collapse to skip_connect), how far the derived
/// cells still change, DST thresholds and sparsity. Each is a titled SVG.
public struct RunPlots {
    /// One titled picture of a run.
    public struct Plot {
        /// Heading for the report ("Loss", "Normal cell op weights", ...).
        public var title: String
        /// The picture as a self-contained SVG document.
        public var svg: String
    }

    /// The metrics.jsonl records, one per epoch, as decoded JSON objects.
    public let records: [[String: Any]]
    /// Op names of the weight matrices' columns.
    public let primitives: [String]

    /// Plots for `records`; `primitives` defaults to the DARTS op order.
    public init(records: [[String: Any]], primitives: [String] = Primitive.darts.map(\.rawValue)) {
        self.records = records
        self.primitives = primitives
    }

    /// A search run's records have architecture weights; a training run's have test accuracy.
    public var isSearch: Bool { records.contains { $0["normal_weights"] != nil } }

    /// The search plots or the training plots, by what the records hold.
    public var plots: [Plot] {
        isSearch ? searchPlots : trainingPlots
    }

    // MARK: series from records

    private func epochs() -> [Double] { records.map { Double(($0["epoch"] as? Int) ?? 0) } }

    private func series(_ name: String, _ key: String, scale: Double = 1, dashed: Bool = false) -> LineChart.Series {
        let points = zip(epochs(), records).map { x, r in
            LineChart.Point(x: x, y: ((r[key] as? NSNumber)?.doubleValue).map { $0 * scale } ?? .nan)
        }
        return LineChart.Series(name: name, points: points, dashed: dashed)
    }

    private func nested(_ name: String, _ key: String, _ field: String, dashed: Bool = false) -> LineChart.Series {
        let points = zip(epochs(), records).map { x, r in
            LineChart.Point(x: x, y: ((r[key] as? [String: Any])?[field] as? NSNumber)?.doubleValue ?? .nan)
        }
        return LineChart.Series(name: name, points: points, dashed: dashed)
    }

    private func chart(_ title: String, y: String, _ series: [LineChart.Series], range: ClosedRange<Double>? = nil,
                       log: Bool = false) -> Plot {
        Plot(title: title, svg: LineChart(title: title, xLabel: "epoch", yLabel: y, series: series, yRange: range,
                                          logY: log).svg())
    }

    // MARK: search

    private var searchPlots: [Plot] {
        var out = [
            chart("Loss", y: "cross-entropy", [series("train", "train_loss"), series("valid", "valid_loss", dashed: true)]),
            chart("Accuracy", y: "%", [series("train", "train_accuracy", scale: 100),
                                       series("valid", "valid_accuracy", scale: 100, dashed: true)], range: 0...100),
            chart("Learning rate", y: "weights' lr", [series("lr", "learning_rate")], log: true),
            chart("Separation of the op weights", y: "mean largest weight",
                  [nested("normal", "normal_statistics", "mean_max_weight"),
                   nested("reduce", "reduce_statistics", "mean_max_weight", dashed: true)], range: 0...1),
        ]
        if records.contains(where: { $0["derived_accuracy"] != nil }) {
            // --gap-every: the consistency gap over the search (epochs without a measurement are gaps).
            out.insert(chart("Consistency: super-net and derived net", y: "% (architecture split)",
                             [series("super-net", "super_net_accuracy", scale: 100),
                              series("derived net", "derived_accuracy", scale: 100, dashed: true)], range: 0...100),
                       at: 2)
        }
        // Parsed once: report.html is redrawn after every epoch, from every epoch's genotype.
        let genotypes = genotypes()
        if records.count > 1 { out.append(settling(genotypes)) }
        for cell in ["normal", "reduce"] { out.append(edgeWeights(cell)) }
        if records.contains(where: { $0["thresholds"] != nil }) {
            out.append(chart("DST: pruned candidates", y: "%",
                             [LineChart.Series(name: "normal", points: percent("normal_statistics", "pruned_fraction")),
                              LineChart.Series(name: "reduce", points: percent("reduce_statistics", "pruned_fraction"), dashed: true)],
                             range: 0...100))
            out.append(chart("DST: mean in-degree", y: "inputs per node",
                             [nested("normal", "normal_statistics", "mean_in_degree"),
                              nested("reduce", "reduce_statistics", "mean_in_degree", dashed: true)]))
            for cell in ["normal", "reduce"] { out.append(inDegrees(cell, genotypes)) }
            for cell in ["normal", "reduce"] { out.append(thresholds(cell)) }
        }
        return out
    }

    private func percent(_ key: String, _ field: String) -> [LineChart.Point] {
        zip(epochs(), records).map { x, r in
            LineChart.Point(x: x, y: (((r[key] as? [String: Any])?[field] as? NSNumber)?.doubleValue ?? .nan) * 100)
        }
    }

    /// One small chart per edge, one line per op, all on 0...1: separation or collapse at a glance.
    private func edgeWeights(_ cell: String) -> Plot {
        let matrices = records.map { ($0["\(cell)_weights"] as? [[NSNumber]]) ?? [] }
        let edges = matrices.map(\.count).max() ?? 0
        let charts = (0..<edges).map { e in
            LineChart(title: "edge \(e)", xLabel: "epoch", series: primitives.indices.map { k in
                LineChart.Series(name: primitives[k], points: zip(epochs(), matrices).map { x, m in
                    LineChart.Point(x: x, y: e < m.count && k < m[e].count ? m[e][k].doubleValue : .nan)
                })
            }, yRange: 0...1, legend: false)
        }
        let title = "Op weights per edge, \(cell) cell"
        return Plot(title: title, svg: ChartGrid(title: title, charts: charts, columns: 4).svg())
    }

    /// Each epoch's derived genotype (nil where a record has none that parses).
    private func genotypes() -> [Genotype?] {
        records.map { ($0["genotype"] as? String).flatMap { try? Genotype(dartsText: $0) } }
    }

    /// The derived cells against the epoch before's (`Genotype.agreement`, docs/usage.md#derived-cell-settling),
    /// from the epochs' genotypes, so runs recorded before genotype_agreement draw it too; as
    /// the search records it, only between two epochs that both updated the architecture.
    private func settling(_ genotypes: [Genotype?]) -> Plot {
        let searched = records.map { ($0["architecture_updated"] as? Bool) ?? true }
        let points = zip(epochs(), genotypes.indices).map { x, i in
            LineChart.Point(x: x, y: i == 0 || !searched[i] || !searched[i - 1] ? .nan
                                : genotypes[i].flatMap { g in genotypes[i - 1].map { g.agreement(with: $0) } } ?? .nan)
        }
        return chart("Derived cells against the epoch before's", y: "agreement (1 = unchanged)",
                     [LineChart.Series(name: "agreement", points: points)], range: 0...1)
    }

    /// Inputs kept by each node of the derived cell, per epoch (from the epoch's genotype): a
    /// node whose threshold drifts low keeps every candidate while the mean looks moderate.
    private func inDegrees(_ cell: String, _ genotypes: [Genotype?]) -> Plot {
        let nodes = genotypes.compactMap { $0.map { cell == "normal" ? $0.normal.count : $0.reduce.count } }.max() ?? 0
        let series = (0..<nodes).map { j in
            LineChart.Series(name: "node \(j + 2)", points: zip(epochs(), genotypes).map { x, g in
                let node = g.map { cell == "normal" ? $0.normal : $0.reduce }
                return LineChart.Point(x: x, y: node.map { j < $0.count ? Double($0[j].count) : .nan } ?? .nan)
            })
        }
        return chart("DST: inputs kept per node, \(cell) cell", y: "inputs", series)
    }

    private func thresholds(_ cell: String) -> Plot {
        let rows = records.map { (($0["thresholds"] as? [String: Any])?[cell] as? [NSNumber]) ?? [] }
        let nodes = rows.map(\.count).max() ?? 0
        let series = (0..<nodes).map { j in
            LineChart.Series(name: "node \(j + 2)", points: zip(epochs(), rows).map { x, t in
                LineChart.Point(x: x, y: j < t.count ? t[j].doubleValue : .nan)
            })
        }
        return chart("DST thresholds t_j, \(cell) cell", y: "sigmoid(threshold)", series, range: 0...1)
    }

    // MARK: training

    private var trainingPlots: [Plot] {
        [
            chart("Loss", y: "cross-entropy", [series("train", "train_loss"), series("test", "test_loss", dashed: true)]),
            chart("Accuracy", y: "%", [series("train", "train_top1"), series("test", "test_top1", dashed: true)], range: 0...100),
            chart("Learning rate", y: "lr", [series("lr", "learning_rate")], log: true),
            chart("Drop-path probability", y: "p", [series("drop-path", "drop_path_prob")]),
        ]
    }
}
