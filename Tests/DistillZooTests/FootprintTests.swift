// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillNN
import DistillTensor
import DistillZoo
import XCTest

/// Sizes of networks known before they are built, so that absurd ones are refused before allocating.
final class FootprintTests: XCTestCase {
    func testParameterEstimateIsExactForEveryNetworkAndSomeSpecs() throws {
        var generator = SeededGenerator(seed: 1)
        let specs = [
            "ConvNet(width=16,depth=2,norm=layernorm,pool=none)", "ConvNet(width=8,depth=4,norm=batchnorm,pool=maxpooling)",
            "ConvNet(width=24,depth=1,norm=groupnorm)",
        ]
        for name in Zoo.names + specs {
            for (channels, size, classes) in [(1, 28, 10), (3, 32, 7), (3, 40, 100)] {
                let network = try Zoo.make(name: name, channels: channels, imageSize: size, classes: classes, using: &generator)
                let footprint = try Zoo.footprint(name: name, channels: channels, imageSize: size, classes: classes)
                XCTAssertEqual(footprint.parameters, network.parameterCount, "\(name) \(channels)×\(size)² \(classes) classes")
            }
        }
    }

    /// `distill models` counts without building: the walk must refuse exactly the inputs the
    /// constructors refuse, with their error.
    func testCheckedFootprintRefusesWhatTheConstructorsRefuseWithTheirError() throws {
        var generator = SeededGenerator(seed: 3)
        for name in Zoo.names + ["ConvNet(width=8,depth=3,pool=avgpooling)", "ConvNet(width=8,depth=6,pool=none)"] {
            for (channels, size) in [(1, 1), (1, 3), (3, 4), (3, 7), (1, 9), (1, 16), (3, 16), (3, 20), (1, 28)] {
                let made = Result { try Zoo.make(name: name, channels: channels, imageSize: size, classes: 3, using: &generator) }
                let checked = Result { try Zoo.checkedFootprint(name: name, channels: channels, imageSize: size, classes: 3) }
                switch (made, checked) {
                case let (.success(network), .success(footprint)):
                    XCTAssertEqual(footprint.parameters, network.parameterCount, "\(name) \(channels)×\(size)²")
                case let (.failure(madeError), .failure(checkedError)):
                    XCTAssertEqual("\(checkedError)", "\(madeError)", "\(name) \(channels)×\(size)²")
                default:
                    XCTFail("\(name) \(channels)×\(size)²: make \(made), checkedFootprint \(checked)")
                }
            }
        }
    }

    func testActivationsCountEveryLayerOutput() throws {
        // ConvNetD1 on 1×28×28: conv (pad 3) → 128×32×32, norm and relu the same, pool → 128×16×16, linear → 10.
        let footprint = try Zoo.footprint(name: "ConvNetD1", channels: 1, imageSize: 28, classes: 10)
        XCTAssertEqual(footprint.activationsPerImage, 3 * 128 * 32 * 32 + 128 * 16 * 16 + 10)
        XCTAssertEqual(
            footprint.trainingBytes(batchSize: 2), 4 * (3 * footprint.parameters + 2 * 2 * footprint.activationsPerImage))
    }

    func testAbsurdSizesSaturateAndAreRefusedBeforeBuilding() throws {
        let huge = try Zoo.footprint(name: "MLP", channels: 1, imageSize: 100_000, classes: 10)
        XCTAssertEqual(huge.parameters, 100_000 * 100_000 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10)
        let saturated = try Zoo.footprint(name: "ConvNet", channels: .max, imageSize: .max, classes: .max)
        XCTAssertEqual(saturated.parameters, .max)
        var generator = SeededGenerator(seed: 2)
        for (name, channels, size, classes) in [
            ("ConvNet(width=65536,depth=1000,pool=none)", 1, 28, 10), ("MLP", 1, 100_000, 10), ("ConvNet", 1, 28, 1_000_000_000_000),
        ] {
            XCTAssertThrowsError(
                try Zoo.make(name: name, channels: channels, imageSize: size, classes: classes, using: &generator), name
            ) { error in
                guard let error = error as? MemoryBudgetError else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue(error.description.hasPrefix("\(name) with \(channels)×\(size)×\(size) inputs"), error.description)
                XCTAssertTrue(error.description.contains("of memory but"), error.description)
            }
        }
    }

    func testSpecWidthAndDepthAreBounded() {
        for (text, key, maximum) in [("ConvNet(width=100000000)", "width", 65_536), ("ConvNet(depth=10000000,pool=none)", "depth", 1_000)] {
            XCTAssertThrowsError(try ConvNetSpec(parsing: text)) {
                guard case let .invalidSpecValue(errorKey, _, allowed)? = $0 as? ZooError else { return XCTFail("\($0)") }
                XCTAssertEqual(errorKey, key)
                XCTAssertEqual(allowed, ["an integer from 1 to \(maximum)"])
            }
        }
        XCTAssertNoThrow(try ConvNetSpec(parsing: "ConvNet(width=65536,depth=1000)"))
    }

    func testCheckNameAcceptsNamesAndSpecsOnly() {
        XCTAssertNoThrow(try Zoo.checkName("ResNet18BN_AP"))
        XCTAssertNoThrow(try Zoo.checkName("ConvNet(width=64)"))
        XCTAssertThrowsError(try Zoo.checkName("Nope")) {
            guard case .unknownNetwork("Nope", _)? = $0 as? ZooError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Zoo.checkName("")) {
            guard case .unknownNetwork("", _)? = $0 as? ZooError else { return XCTFail("\($0)") }
        }
    }
}
