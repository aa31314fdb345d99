// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// Networks too large to train here are refused before the first one is trained.
final class EvaluationFeasibilityTests: XCTestCase {
    private var data: TinyFashionMNIST!

    override func setUpWithError() throws { data = try TinyFashionMNIST() }

    override func tearDownWithError() throws { data.remove() }

    func testNetworkTooLargeToTrainIsRefusedWithTheEstimate() throws {
        let path = (data.root as NSString).appendingPathComponent("set.safetensors")
        try SyntheticSetFile(
            images: NDArray(repeating: 0, shape: [10, 1, 28, 28]), labels: Array(0..<10),
            metadata: ["dataset": "fashion-mnist", "method": "dc"]
        ).write(to: path)
        let training = try TrainingSet(syntheticAt: path, locator: data.locator)
        let huge = "ConvNet(width=65536,depth=1000,pool=none)"
        let requests = [
            EvaluationRequest(architectures: ["MLP", huge], runs: 1, epochs: 0, distillation: nil, seed: 0),
            EvaluationRequest(
                architectures: ["MLP"], runs: 1, epochs: 0, distillation: DistillationSettings(teacher: huge), seed: 0),
        ]
        for request in requests {
            var trained: [String] = []
            XCTAssertThrowsError(try request.run(on: training) { trained.append($0.architecture) }) { error in
                guard let error = error as? MemoryBudgetError else { return XCTFail("\(error)") }
                XCTAssertTrue(
                    error.description.hasPrefix("training \(huge) on 1×28×28 images in batches of 10 needs "),
                    error.description)
            }
            XCTAssertEqual(trained, [], "nothing is trained before the check")
        }
    }
}
