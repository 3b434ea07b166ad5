import Foundation
import XCTest
import Torch

/// Learning-rate schedules at a few epochs (optim/Schedules.swift).
final class SchedulesTests: XCTestCase {
    func testCosineAnnealing() {
        let cosine = CosineAnnealing(base: 0.025, minimum: 0.001, period: 50)  // DARTS' weight schedule
        XCTAssertEqual(cosine.learningRate(at: 0), 0.025, accuracy: 1e-15)
        XCTAssertEqual(cosine.learningRate(at: 25), 0.013, accuracy: 1e-15, "half way is the midpoint")
        XCTAssertEqual(cosine.learningRate(at: 50), 0.001, accuracy: 1e-15)
        XCTAssertEqual(cosine.learningRate(at: 10), 0.001 + 0.024 * (1 + Foundation.cos(Double.pi / 5)) / 2, accuracy: 1e-15)
        XCTAssertEqual(CosineAnnealing(base: 1, period: 4).learningRate(at: 1), (1 + 0.5.squareRoot()) / 2, accuracy: 1e-15)
        XCTAssertEqual(CosineAnnealing(base: 1, period: 4).learningRate(at: 4), 0, accuracy: 1e-15)
    }

    func testStepDecay() {
        let step = StepDecay(base: 0.1, stepSize: 3, gamma: 0.5)
        XCTAssertEqual([0, 2, 3, 5, 6, 9].map(step.learningRate(at:)), [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125])
        XCTAssertEqual(StepDecay(base: 0.5, stepSize: 1, gamma: 0.97).learningRate(at: 2), 0.5 * 0.97 * 0.97, accuracy: 1e-15)
    }

    func testLinearWarmupThenInner() {
        let schedule = LinearWarmup(warmup: 5, then: CosineAnnealing(base: 0.5, period: 20))
        XCTAssertEqual(schedule.learningRate(at: 0), 0.1, accuracy: 1e-15, "base/warmup at epoch 0")
        XCTAssertEqual(schedule.learningRate(at: 2), 0.3, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(at: 4), 0.5, accuracy: 1e-15, "reaches base on the last warm-up epoch")
        XCTAssertEqual(schedule.learningRate(at: 5), CosineAnnealing(base: 0.5, period: 20).learningRate(at: 5), accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(at: 20), 0, accuracy: 1e-15)
        XCTAssertEqual(LinearWarmup(warmup: 0, then: StepDecay(base: 1, stepSize: 1, gamma: 0.5)).learningRate(at: 1), 0.5)
    }

    func testLinearDecay() {
        let decay = LinearDecay(base: 0.5, epochs: 250)
        XCTAssertEqual(decay.learningRate(at: 0), 0.5)
        XCTAssertEqual(decay.learningRate(at: 125), 0.25, accuracy: 1e-15)
        XCTAssertEqual(decay.learningRate(at: 250), 0)
        XCTAssertEqual(decay.learningRate(at: 300), 0, "never negative")
    }

    func testOptimizerFollowsSchedule() throws {
        let p = try Tensor([0.0], shape: [1])
        let sgd = SGD([("p", p)], learningRate: 1)
        let schedule = StepDecay(base: 0.2, stepSize: 1, gamma: 0.5)
        for epoch in 0..<3 {
            sgd.setLearningRate(schedule.learningRate(at: epoch))
            try p.setGrad(Tensor([1.0], shape: [1]))
            try sgd.step()
        }
        XCTAssertEqual(try p.doubles()[0], -(0.2 + 0.1 + 0.05), accuracy: 1e-12)
    }
}
