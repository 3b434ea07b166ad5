import Foundation
import XCTest
@testable import NAS
import Torch

/// The found network in PyTorch and back: DARTS' reference names, the exported model.py run by
/// PyTorch against our logits, and weights made by PyTorch imported and run by us.
final class PyTorchExportTests: SingleThreadTestCase {
    /// A DST genotype with a three-input node, two ops on one edge, and the ops whose names or
    /// strides need care: conv_7x1_1x7 (a bare Sequential in DARTS), sep_conv_7x7, conv_3x3, and
    /// strided skip_connect (FactorizedReduce) and pooling in the reduction cell.
    static let dstGenotype = Genotype(
        normal: [[Connection(.sepConv3x3, 0), Connection(.conv7x1_1x7, 1), Connection(.dilConv3x3, 1)],
                 [Connection(.skipConnect, 2)], [Connection(.sepConv7x7, 3), Connection(.maxPool3x3, 0)]],
        normalConcat: [2, 3, 4],
        reduce: [[Connection(.skipConnect, 0), Connection(.avgPool3x3, 1), Connection(.conv3x3, 1)],
                 [Connection(.dilConv5x5, 2)], [Connection(.sepConv5x5, 0), Connection(.maxPool3x3, 3)]],
        reduceConcat: [2, 3, 4])

    /// A small network whose batch-norm statistics have moved away from their initial values.
    func network(_ genotype: Genotype, style: EvalNetworkConfiguration.Style = .cifar, layers: Int = 5,
                 inputChannels: Int = 1, size: Int = 28) throws -> EvalNetwork {
        Torch.manualSeed(3)
        let net = try EvalNetwork(genotype: genotype, configuration: EvalNetworkConfiguration(
            style: style, layers: layers, initChannels: 8, inputChannels: inputChannels, classes: 10, auxiliary: true))
        for _ in 0..<2 { _ = try net(try Tensor.randn([4, inputChannels, size, size])) }
        net.eval()
        return net
    }

    func testNamesAreThoseOfDARTSReferenceModel() throws {
        let net = try network(.dartsV2)
        let names = Set(ReferenceNames.stateDict(of: net).map(\.0))
        // Cell 1 is the first reduction (layers // 3), so cell 2 halves c_{k-2} with FactorizedReduce.
        for name in ["stem.0.weight", "stem.1.running_var", "stem.1.num_batches_tracked",
                     "cells.0.preprocess0.op.1.weight", "cells.0.preprocess1.op.2.bias",
                     "cells.0._ops.0.op.1.weight", "cells.0._ops.0.op.7.running_mean",
                     "cells.2.preprocess0.conv_1.weight", "cells.2.preprocess0.bn.weight",
                     "auxiliary_head.features.2.weight", "auxiliary_head.features.6.running_mean",
                     "auxiliary_head.classifier.weight", "classifier.weight", "classifier.bias"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertFalse(names.contains { $0.contains(".ops.") || $0.hasPrefix("auxiliaryHead") }, "no name of ours is left")
        XCTAssertEqual(names.count, net.stateDict().count)
    }

    func testConv7x1x1x7IsABareSequentialInDARTS() throws {
        let net = try network(.amoebaNet, layers: 3)
        let pairs = ReferenceNames.pairs(for: net)
        let cell = net.cells.firstIndex { $0.ops.contains { $0 is Conv7x1x1x7 } }!
        let k = net.cells[cell].ops.firstIndex { $0 is Conv7x1x1x7 }!
        let reference = Dictionary(uniqueKeysWithValues: pairs.map { ($0.ours, $0.reference) })
        XCTAssertEqual(reference["cells.\(cell).ops.\(k).op.1.weight"], "cells.\(cell)._ops.\(k).1.weight")
        XCTAssertEqual(reference["cells.\(cell).ops.\(k).op.3.running_var"], "cells.\(cell)._ops.\(k).3.running_var")
    }

    func testReferenceStateDictLoadsBackAndGivesTheSameLogits() throws {
        let source = try network(Self.dstGenotype)
        let tensors = Dictionary(uniqueKeysWithValues: ReferenceNames.stateDict(of: source))
        Torch.manualSeed(99)
        let target = try EvalNetwork(genotype: Self.dstGenotype, configuration: source.configuration)
        target.eval()
        let x = try Tensor.randn([3, 1, 28, 28])
        XCTAssertGreaterThan(try (try source(x).logits - target(x).logits).abs().max().item(), 1e-3, "differs before loading")
        try ReferenceNames.load(tensors, into: target, source: "test")
        XCTAssertEqual(try (try source(x).logits - target(x).logits).abs().max().item(), 0, accuracy: 1e-6)
    }

    func testSizeIsReadFromTheTensors() throws {
        for (style, size) in [(EvalNetworkConfiguration.Style.cifar, 28), (.imagenet, 64)] {
            let net = try network(.dartsV2, style: style, layers: 4, inputChannels: 3, size: size)
            let tensors = Dictionary(uniqueKeysWithValues: ReferenceNames.stateDict(of: net))
            XCTAssertEqual(try ReferenceImport.networkConfiguration(of: tensors, source: "t"), net.configuration)
            var noAux = tensors
            for key in noAux.keys where key.hasPrefix("auxiliary_head.") { noAux[key] = nil }
            XCTAssertFalse(try ReferenceImport.networkConfiguration(of: noAux, source: "t").auxiliary)
        }
        XCTAssertThrowsError(try ReferenceImport.networkConfiguration(of: ["fc.weight": try Tensor.zeros([2, 2])], source: "f.st")) {
            XCTAssertTrue("\($0)".contains("not the state dict of DARTS' NetworkCIFAR"), "\($0)")
        }
    }

    /// DARTS' own checkpoints predate num_batches_tracked: it may be missing. Any other missing,
    /// extra or misshapen tensor is named with both shapes.
    func testBadStateDictsAreNamed() throws {
        let net = try network(.dartsV2, layers: 3)
        let good = Dictionary(uniqueKeysWithValues: ReferenceNames.stateDict(of: net))
        var old = good
        for key in old.keys where key.hasSuffix("num_batches_tracked") { old[key] = nil }
        XCTAssertNoThrow(try ReferenceNames.load(old, into: net, source: "old.safetensors"))

        var missing = good
        missing["cells.0._ops.3.op.1.weight"] = nil
        XCTAssertThrowsError(try ReferenceNames.load(missing, into: net, source: "m.safetensors")) {
            XCTAssertTrue("\($0)".contains("m.safetensors: tensor 'cells.0._ops.3.op.1.weight' is missing"), "\($0)")
        }
        var misshapen = good
        misshapen["classifier.weight"] = try Tensor.zeros([3, 7])
        XCTAssertThrowsError(try ReferenceNames.load(misshapen, into: net, source: "s.safetensors")) {
            XCTAssertTrue("\($0)".contains("tensor 'classifier.weight' has shape [3, 7]"), "\($0)")
            XCTAssertTrue("\($0)".contains("expects [10, "), "\($0)")
        }
        var extra = good
        extra["cells.9._ops.0.op.1.weight"] = try Tensor.zeros([1])
        XCTAssertThrowsError(try ReferenceNames.load(extra, into: net, source: "e.safetensors")) {
            XCTAssertTrue("\($0)".contains("tensor 'cells.9._ops.0.op.1.weight'"), "\($0)")
        }
        // Right names and shapes, unusable values: a NaN or an infinite weight, a negative variance.
        let weight = "classifier.weight", variance = try XCTUnwrap(good.keys.sorted().first { $0.hasSuffix(".running_var") })
        for (name, value, complaint) in [(weight, Float.nan, "holds NaN or infinite values"),
                                         (weight, Float.infinity, "holds NaN or infinite values"),
                                         (variance, -1, "holds negative variances")] {
            var bad = good
            var values = try good[name]!.floats()
            values[0] = value
            bad[name] = try Tensor(values, shape: good[name]!.shape)
            XCTAssertThrowsError(try ReferenceNames.load(bad, into: net, source: "v.safetensors")) {
                XCTAssertTrue("\($0)".contains("v.safetensors: tensor '\(name)' \(complaint)"), "\($0)")
            }
        }
    }

    func testExportFolderHoldsWeightsCodeAndDescription() throws {
        let net = try network(Self.dstGenotype)
        let folder = try temporaryDirectory()
        try PyTorchExport.write(net, description: description(net), to: folder)
        let file = try Safetensors.load(from: folder.appendingPathComponent(PyTorchExport.stateDictFile))
        XCTAssertEqual(Set(file.tensors.keys), Set(ReferenceNames.stateDict(of: net).map(\.0)))
        XCTAssertEqual(file.tensors["stem.1.num_batches_tracked"]?.dtype, .int64)
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent(PyTorchExport.networkFile))) as! [String: Any]
        XCTAssertEqual(json["class"] as? String, "NetworkCIFAR")
        XCTAssertEqual(json["C"] as? Int, 8)
        XCTAssertEqual(json["num_classes"] as? Int, 10)
        let model = try String(contentsOf: folder.appendingPathComponent(PyTorchExport.modelFile), encoding: .utf8)
        XCTAssertTrue(model.contains("class NetworkCIFAR(Network):"))
        XCTAssertEqual(try Genotype(json: String(contentsOf: folder.appendingPathComponent("genotype.json"), encoding: .utf8)),
                       Self.dstGenotype)
    }

    // MARK: with PyTorch (skipped where python3 cannot import torch)

    /// Ours -> export -> PyTorch: the exported model.py, fed the same images, gives our logits.
    func testPyTorchComputesOurLogits() throws {
        let python = try pythonWithTorch()
        for (genotype, style, size) in [(Genotype.dartsV2, EvalNetworkConfiguration.Style.cifar, 32),
                                        (Self.dstGenotype, .cifar, 28), (.amoebaNet, .cifar, 27), (.pcDarts, .imagenet, 64)] {
            let inputChannels = size == 28 ? 1 : 3
            let net = try network(genotype, style: style, layers: style == .imagenet ? 4 : 5, inputChannels: inputChannels,
                                  size: size)
            let folder = try temporaryDirectory()
            try PyTorchExport.write(net, description: description(net, size: size), to: folder)
            let images = try Tensor.randn([6, inputChannels, size, size])
            let logits = try withNoGrad { try net(images).logits }
            let labels = try logits.argmax(dim: 1).to(.int64)
            let checkFile = folder.appendingPathComponent("check.safetensors")
            try Safetensors.save([("images", images), ("logits", logits), ("labels", labels)], to: checkFile)
            let check = try PyTorchCheck.run(python: python, folder: folder, checkFile: checkFile)
            XCTAssertEqual(check.images, 6)
            XCTAssertLessThan(check.maxAbsDiff, 1e-4, "\(genotype.dartsText) \(style)")
            XCTAssertEqual(check.top1PyTorch, 100, "\(genotype.dartsText) \(style)")
        }
    }

    /// PyTorch -> reference names -> import -> ours: weights that PyTorch initialised (and
    /// batch-norm statistics it set) give PyTorch's logits in our network; the deployment files
    /// (TorchScript) trace and reload.
    func testWeightsMadeByPyTorchGiveItsLogitsHere() throws {
        let python = try pythonWithTorch()
        let folder = try temporaryDirectory()
        let shape = try network(Self.dstGenotype)
        try PyTorchExport.write(shape, description: description(shape), to: folder)
        let script = """
        import json, sys, torch
        sys.path.insert(0, sys.argv[1])
        import model
        torch.manual_seed(0)
        net = model.build(sys.argv[1])
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0); m.num_batches_tracked.fill_(7)
                m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
        net.eval()
        x = torch.randn(4, 1, 28, 28)
        with torch.no_grad():
            y = net(x)[0]
        tensors = dict(net.state_dict()); tensors["input"] = x; tensors["output"] = y
        names = {torch.float32: "F32", torch.int64: "I64"}
        header, blobs, offset = {}, [], 0
        for k, t in tensors.items():
            b = t.contiguous().numpy().tobytes()
            header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
            blobs.append(b); offset += len(b)
        h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
        open(sys.argv[2], "wb").write(len(h).to_bytes(8, "little") + h + b"".join(blobs))
        model.torchscript(sys.argv[1], sys.argv[3])
        """
        let made = folder.appendingPathComponent("pytorch.safetensors"), traced = folder.appendingPathComponent("model.pt")
        let result = try PyTorchCheck.runPython(python, ["-c", script, folder.path, made.path, traced.path])
        XCTAssertEqual(result.status, 0, result.errors)
        var tensors = try Safetensors.load(from: made).tensors
        let input = tensors.removeValue(forKey: "input")!, output = tensors.removeValue(forKey: "output")!
        let configuration = try ReferenceImport.networkConfiguration(of: tensors, source: made.path)
        XCTAssertEqual(configuration, shape.configuration)
        let ours = try EvalNetwork(genotype: Self.dstGenotype, configuration: configuration)
        try ReferenceNames.load(tensors, into: ours, source: made.path)
        ours.eval()
        let logits = try withNoGrad { try ours(input).logits }
        XCTAssertEqual(try (logits - output).abs().max().item(), 0, accuracy: 1e-4)
        let bn = try XCTUnwrap(ours.cells[0].preprocess1.op.layers[2] as? BatchNorm2d)
        XCTAssertEqual(try bn.numBatchesTracked.itemInt(), 7, "buffers come across too")
        XCTAssertTrue(result.output.contains("\"torchscript\""), result.output)
        let diff = try XCTUnwrap(result.output.split(separator: "\n").last.flatMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }?["max_abs_diff"] as? Double)
        XCTAssertLessThan(diff, 1e-5, "the traced TorchScript module computes what the module does")
    }

    // MARK: helpers

    private func description(_ net: EvalNetwork, size: Int = 28) -> PyTorchExport.NetworkDescription {
        var configuration = TrainingConfiguration(preset: .quick, genotype: net.genotype, genotypeName: "test",
                                                  dataset: "fashion-mnist", inputChannels: net.configuration.inputChannels,
                                                  imageHeight: size, imageWidth: size, classes: net.configuration.classes,
                                                  seed: 0)
        configuration.layers = net.configuration.layers
        return PyTorchExport.description(of: net, configuration: configuration, statistics: nil)
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func pythonWithTorch() throws -> String {
        guard let python = PyTorchCheck.findPython() else {
            throw XCTSkip("python3 cannot import torch (apt-get install python3-torch); scripts/test.sh installs it")
        }
        return python
    }
}
