import XCTest
@testable import Torch

/// Devices: parsing `--device`, moving tensors and modules, and the CUDA paths (skipped with the
/// reason when libtorch sees no GPU; they run on a GPU machine).
final class DeviceTests: XCTestCase {
    private func requireCUDA() throws {
        guard Torch.cudaDeviceCount > 0 else {
            throw XCTSkip("no CUDA device: libtorch \(Torch.version) sees \(Torch.devices.joined(separator: ", "))")
        }
    }

    func testParsing() throws {
        XCTAssertEqual(try Device(parsing: "cpu"), .cpu)
        XCTAssertEqual(try Device(parsing: "CPU"), .cpu)
        XCTAssertEqual(try Device(parsing: "auto"), Torch.cudaDeviceCount > 0 ? .cuda(0) : .cpu)
        XCTAssertThrowsError(try Device(parsing: "tpu")) { XCTAssertTrue("\($0)".contains("auto, cpu, cuda or cuda:N")) }
        XCTAssertThrowsError(try Device(parsing: "cuda:\(Torch.cudaDeviceCount)")) {
            XCTAssertTrue("\($0)".contains("\(Torch.cudaDeviceCount) CUDA device"), "\($0)")
        }
        XCTAssertEqual(Device.cuda(1).description, "cuda:1")
    }

    func testCPUMovesKeepValuesAndIdentity() throws {
        let t = try Tensor([1, 2, 3] as [Float], shape: [3])
        XCTAssertEqual(t.device, .cpu)
        XCTAssertEqual(try t.to(.cpu).floats(), [1, 2, 3])
        let layer = try Linear(3, 2)
        let before = layer.parameters().map(ObjectIdentifier.init)
        try layer.to(.cpu)
        XCTAssertEqual(layer.parameters().map(ObjectIdentifier.init), before, "the same tensors, as optimizers hold them")
        XCTAssertEqual(layer.device, .cpu)
        XCTAssertEqual(try Tensor.zeros(like: t).floats(), [0, 0, 0])
    }

    func testCUDAWithoutAGPUIsAnError() throws {
        guard Torch.cudaDeviceCount == 0 else { throw XCTSkip("this machine has a GPU") }
        XCTAssertThrowsError(try Tensor.ones([2]).to(.cuda(0))) { error in
            XCTAssertTrue("\(error)".contains("CUDA"), "\(error)")
        }
    }

    func testCUDARoundTripAndTraining() throws {
        try requireCUDA()
        let x = try Tensor.randn([4, 3])
        let onGPU = try x.pinned().to(.cuda(0), nonBlocking: true)
        XCTAssertEqual(onGPU.device, .cuda(0))
        XCTAssertEqual(try onGPU.to(.cpu).floats(), try x.floats())
        let layer = try Linear(3, 2)
        let optimizer = SGD(layer.namedParameters(), learningRate: 0.1, momentum: 0.9)
        try layer.to(.cuda(0))
        XCTAssertEqual(layer.device, .cuda(0))
        let loss = try crossEntropy(try layer(onGPU), try Tensor([0, 1, 0, 1] as [Int64], shape: [4]).to(.cuda(0)))
        try loss.backward()
        try optimizer.step()
        XCTAssertEqual(optimizer.momentumBuffer(optimizer.groups[0].parameters[0].name)?.device, .cuda(0),
                       "optimizer state follows its parameter")
        // Device-independent state: what the GPU model holds loads into a CPU one.
        let cpuLayer = try Linear(3, 2)
        try cpuLayer.load(stateDict: Dictionary(uniqueKeysWithValues: layer.stateDict()))
        XCTAssertEqual(try cpuLayer(x).floats(), try layer(onGPU).to(.cpu).floats())
    }
}
