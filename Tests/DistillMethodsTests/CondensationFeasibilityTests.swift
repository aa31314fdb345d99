// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillMethods
import DistillZoo
import XCTest
import _DistillTestSupport

/// Settings that cannot run are refused when the method is built, before any synthetic image is allocated.
final class CondensationFeasibilityTests: XCTestCase {
    private var data: TinyFashionMNIST!

    override func setUpWithError() throws { data = try TinyFashionMNIST() }

    override func tearDownWithError() throws { data.remove() }

    private func makeMethod(ipc: Int = 1, model: String = "ConvNet", pool: String = "none") throws {
        let train = try data.locator.load(.fashionMNIST, split: .train)
        let request = CondensationRequest(
            dataset: .fashionMNIST, method: "dc", imagesPerClass: ipc, mainModel: model, pool: pool, iterations: 1,
            batchReal: 4, outerLoop: 1, innerLoop: 1)
        _ = try request.makeMethod(data: train)
    }

    func testSyntheticSetTooLargeForTheMachineIsRefusedWithTheEstimate() {
        XCTAssertThrowsError(try makeMethod(ipc: 1_000_000_000)) { error in
            guard let error = error as? MemoryBudgetError else { return XCTFail("\(error)") }
            // 10 classes × 10⁹ images × 784 floats × 4 bytes × (images, gradient, momentum), and more for the network.
            XCTAssertGreaterThan(error.neededBytes, 3 * 4 * 784 * 10 * 1_000_000_000)
            XCTAssertTrue(error.description.hasPrefix("condensing 10 classes × 1000000000 images of 1×28×28"), error.description)
            XCTAssertTrue(error.description.hasSuffix("use a smaller --ipc or --batch-real"), error.description)
        }
        XCTAssertNoThrow(try makeMethod(ipc: 1))
    }

    func testUnknownMainModelIsAnUnknownNetworkNotAPoolArchitecture() {
        for pool in ["none", "paper"] {
            XCTAssertThrowsError(try makeMethod(model: "Nope", pool: pool)) { error in
                guard case .unknownNetwork("Nope", _)? = error as? ZooError else { return XCTFail("\(pool): \(error)") }
                XCTAssertTrue("\(error)".hasPrefix("unknown network 'Nope'; known networks: ConvNet, "), "\(error)")
            }
        }
    }
}
