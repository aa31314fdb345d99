// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import DistillZoo
import XCTest

/// A ConvNet spec either is refused when it is read, with the reason, or
/// builds and runs: no spec that parses reaches a layer's precondition.
final class ConvNetSpecBuildTests: XCTestCase {
    /// Every normalisation, activation and pooling with odd and even widths
    /// and a few depths, on 8×8 inputs of 1 and 3 channels.
    func testEverySpecThatParsesBuildsAndRuns() throws {
        var generator = SeededGenerator(seed: 11)
        var built = 0
        for normalization in Normalization.allCases {
            for activation in Activation.allCases {
                for pooling in Pooling.allCases {
                    for width in [1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13] {
                        for depth in [1, 3] {
                            let text = "ConvNet(width=\(width),depth=\(depth),act=\(activation.rawValue),"
                                + "norm=\(normalization.rawValue),pool=\(pooling.rawValue))"
                            let parsed: ConvNetSpec?
                            do {
                                parsed = try Zoo.convNetSpec(for: text)
                            } catch let error as ZooError {
                                guard case .invalidSpec = error else { return XCTFail("\(text): \(error)") }
                                XCTAssertTrue(normalization == .groupnorm && width % 4 != 0, "\(text): \(error)")
                                continue
                            }
                            let spec = try XCTUnwrap(parsed, text)
                            for channels in [1, 3] {
                                let network = try Zoo.make(
                                    name: text, channels: channels, imageSize: 8, classes: 2, using: &generator)
                                XCTAssertEqual((network as? ConvNet)?.spec, spec, text)
                                let x = Tensor(NDArray(repeating: 0.5, shape: [2, channels, 8, 8]))
                                XCTAssertEqual(network(x).shape, [2, 2], text)
                                built += 1
                            }
                        }
                    }
                }
            }
        }
        // Of the 11 widths, groupnorm refuses the 9 that are not multiples of 4.
        XCTAssertEqual(built, (5 * 11 - 9) * 4 * 3 * 2 * 2)
    }

    func testGroupNormWithAWidthNotAMultipleOfFourIsRefusedBeforeBuilding() {
        let text = "ConvNet(width=6,norm=groupnorm)"
        let expected = ZooError.invalidSpec(
            text: text, reason: "norm=groupnorm splits the width into 4 groups, so width must be a multiple of 4 (got 6)")
        XCTAssertEqual(
            "\(expected)",
            "invalid ConvNet spec 'ConvNet(width=6,norm=groupnorm)': norm=groupnorm splits the width into 4 groups, "
                + "so width must be a multiple of 4 (got 6)")
        XCTAssertThrowsError(try ConvNetSpec(parsing: text)) { XCTAssertEqual($0 as? ZooError, expected) }
        XCTAssertThrowsError(try Zoo.checkName(text)) { XCTAssertEqual($0 as? ZooError, expected) }
        XCTAssertThrowsError(try Zoo.footprint(name: text, channels: 3, imageSize: 32, classes: 10)) {
            XCTAssertEqual($0 as? ZooError, expected)
        }
        // A spec made in code has not been parsed; the network refuses it itself.
        var generator = SeededGenerator(seed: 12)
        let spec = ConvNetSpec(width: 6, normalization: .groupnorm)
        XCTAssertThrowsError(try ConvNet(spec, channels: 3, imageSize: 32, classes: 10, using: &generator)) {
            guard case .invalidSpec(spec.description, _)? = $0 as? ZooError else { return XCTFail("\($0)") }
        }
    }

    func testSpacesAroundTheNameAndBeforeTheParenthesisAreIgnored() throws {
        XCTAssertEqual(try Zoo.convNetSpec(for: "ConvNet (width=2)"), ConvNetSpec(width: 2))
        XCTAssertEqual(try Zoo.convNetSpec(for: " ConvNetBN\t"), ConvNetSpec(normalization: .batchnorm))
        XCTAssertNoThrow(try Zoo.checkName(" LeNet "))
        var generator = SeededGenerator(seed: 13)
        let network = try Zoo.make(name: " ConvNet ( width=4, depth=1 ) ", channels: 1, imageSize: 8, classes: 2, using: &generator)
        XCTAssertEqual((network as? ConvNet)?.spec, ConvNetSpec(width: 4, depth: 1))
        XCTAssertNoThrow(try Zoo.make(name: "MLP ", channels: 1, imageSize: 8, classes: 2, using: &generator))
        XCTAssertThrowsError(try Zoo.checkName("ConvNetX(width=2)")) {
            guard case .unknownNetwork? = $0 as? ZooError else { return XCTFail("\($0)") }
        }
    }

    func testCanonicalNamesAreEqualExactlyForTheSameArchitecture() throws {
        let convNet = ConvNetSpec().description
        for name in ["ConvNet", "ConvNet()", "ConvNet(width=128)", "ConvNet (depth=3)", "ConvNetIN", "ConvNetW128", "ConvNetD3"] {
            XCTAssertEqual(try Zoo.canonicalName(name), convNet, name)
        }
        XCTAssertEqual(try Zoo.canonicalName("ConvNetBN"), try Zoo.canonicalName("ConvNet(norm=batchnorm)"))
        XCTAssertNotEqual(try Zoo.canonicalName("ConvNetBN"), convNet)
        XCTAssertEqual(try Zoo.canonicalName(" LeNet"), "LeNet")
        XCTAssertNotEqual(try Zoo.canonicalName("VGG11"), try Zoo.canonicalName("VGG11BN"))
        XCTAssertThrowsError(try Zoo.canonicalName("Nope"))
    }
}
