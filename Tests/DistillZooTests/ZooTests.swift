// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor
import DistillZoo
import XCTest

final class ZooTests: XCTestCase {
    /// networks.md: parameter counts for 10 classes at 1×28×28 and 3×32×32.
    static let publishedCounts: [(name: String, mnist: Int, cifar: Int)] = [
        ("MLP", 118_282, 411_146), ("ConvNet", 317_706, 320_010), ("LeNet", 61_706, 62_006),
        ("AlexNet", 1_865_802, 1_872_202), ("AlexNetBN", 1_867_722, 1_874_122),
        ("VGG11", 9_229_962, 9_231_114), ("VGG11BN", 9_229_962, 9_231_114),
        ("ResNet18", 11_172_810, 11_173_962), ("ResNet18BN", 11_172_810, 11_173_962),
        ("ResNet18BN_AP", 11_213_770, 11_250_762),
        ("ConvNetD1", 329_226, 331_530), ("ConvNetD2", 231_306, 233_610), ("ConvNetD4", 450_186, 452_490),
        ("ConvNetW32", 24_138, 24_714), ("ConvNetW64", 85_130, 86_282), ("ConvNetW256", 1_225_226, 1_229_834),
        ("ConvNetNN", 316_938, 319_242), ("ConvNetLN", 661_002, 663_306), ("ConvNetNP", 1_607_946, 1_610_250),
    ]

    func testParameterCountsMatchNetworksSpec() throws {
        var generator = SeededGenerator(seed: 1)
        for (name, mnist, cifar) in Self.publishedCounts {
            let small = try Zoo.make(name: name, channels: 1, imageSize: 28, classes: 10, using: &generator)
            let large = try Zoo.make(name: name, channels: 3, imageSize: 32, classes: 10, using: &generator)
            XCTAssertEqual(small.parameterCount, mnist, "\(name) 1×28×28")
            XCTAssertEqual(large.parameterCount, cifar, "\(name) 3×32×32")
        }
    }

    func testEveryNamedNetworkBuildsAndRunsForBothSettingsAndAnyClassCount() throws {
        var generator = SeededGenerator(seed: 2)
        for name in Zoo.names where !name.hasPrefix("ResNet") && !name.hasPrefix("VGG") {
            for (channels, size) in [(1, 28), (3, 32)] {
                let net = try Zoo.make(name: name, channels: channels, imageSize: size, classes: 7, using: &generator)
                let x = Tensor(.normal(shape: [2, channels, size, size], using: &generator))
                XCTAssertEqual(net(x).shape, [2, 7], "\(name) \(channels)×\(size)")
            }
        }
    }

    func testEmbeddingIsTheClassifierInput() throws {
        var generator = SeededGenerator(seed: 3)
        let net = try Zoo.make(name: "ConvNetD2", channels: 3, imageSize: 32, classes: 10, using: &generator)
        let embedding = try XCTUnwrap(net as? any Embedding)
        let convNet = try XCTUnwrap(net as? ConvNet)
        XCTAssertEqual(embedding.embeddingSize, 128 * 8 * 8)
        let x = Tensor(.normal(shape: [3, 3, 32, 32], using: &generator))
        let features = embedding.embed(x)
        XCTAssertEqual(features.shape, [3, 8192])
        XCTAssertEqual(convNet.classifier(features).scalars, net(x).scalars)
        for name in ["AlexNet", "VGG11BN", "ResNet18BN_AP", "ConvNetNP"] {
            let network = try Zoo.make(name: name, channels: 1, imageSize: 28, classes: 10, using: &generator)
            XCTAssertTrue(network is any Embedding, name)
        }
        for name in ["MLP", "LeNet"] {
            let network = try Zoo.make(name: name, channels: 1, imageSize: 28, classes: 10, using: &generator)
            XCTAssertFalse(network is any Embedding, name)
        }
    }

    func testSpecStringRoundTripsAndMatchesNamedVariants() throws {
        let spec = ConvNetSpec(width: 64, depth: 4, activation: .swish, normalization: .groupnorm, pooling: .maxpooling)
        XCTAssertEqual(spec.description, "ConvNet(width=64,depth=4,act=swish,norm=groupnorm,pool=maxpooling)")
        XCTAssertEqual(try ConvNetSpec(parsing: spec.description), spec)
        let spaced = " ConvNet( pool = maxpooling , width=64 ,act=swish,depth=4,norm=groupnorm) "
        XCTAssertEqual(try ConvNetSpec(parsing: spaced), spec)
        XCTAssertEqual(try ConvNetSpec(parsing: "ConvNet"), ConvNetSpec())
        XCTAssertEqual(try ConvNetSpec(parsing: "ConvNet()"), ConvNetSpec())
        XCTAssertEqual(try ConvNetSpec(parsing: "ConvNet(norm=batchnorm)"), try Zoo.convNetSpec(for: "ConvNetBN"))
        for (name, spec) in Zoo.convNetVariants {
            XCTAssertEqual(try ConvNetSpec(parsing: spec.description), spec, name)
        }
        var generator = SeededGenerator(seed: 4)
        let built = try Zoo.make(name: spec.description, channels: 3, imageSize: 32, classes: 10, using: &generator)
        XCTAssertEqual((built as? ConvNet)?.spec, spec)
    }

    func testSpecErrorsNameTheBadPartAndTheAllowedValues() {
        func error(_ text: String) -> ZooError? {
            do { _ = try ConvNetSpec(parsing: text) } catch { return error as? ZooError }
            return nil
        }
        XCTAssertEqual(
            error("ConvNet(act=tanh)"),
            .invalidSpecValue(key: "act", value: "tanh", allowed: ["relu", "sigmoid", "leakyrelu", "swish"]))
        XCTAssertEqual(
            error("ConvNet(norm=batch)"),
            .invalidSpecValue(key: "norm", value: "batch", allowed: Normalization.allCases.map(\.rawValue)))
        XCTAssertEqual(Normalization.allCases.count, 5)
        XCTAssertEqual(
            error("ConvNet(depth=0)"), .invalidSpecValue(key: "depth", value: "0", allowed: ["an integer from 1 to 1000"]))
        XCTAssertEqual(
            error("ConvNet(height=3)"), .unknownSpecKey(key: "height", allowed: ["width", "depth", "act", "norm", "pool"]))
        guard case .malformedSpec? = error("ConvNet(width=3,width=4)") else { return XCTFail("repeated key accepted") }
        guard case .malformedSpec? = error("ConvNet(width)") else { return XCTFail("missing value accepted") }
        guard case .malformedSpec? = error("ConvNet(width=3") else { return XCTFail("missing ')' accepted") }
        guard case .malformedSpec? = error("ResNet(width=3)") else { return XCTFail("wrong name accepted") }
        let text = "\(error("ConvNet(pool=avg)")!)"
        XCTAssertTrue(text.contains("'avg'") && text.contains("avgpooling, maxpooling") && !text.contains("\n"), text)
    }

    func testUnknownNamesListCloseNamesAndTooSmallInputsAreRefused() {
        var generator = SeededGenerator(seed: 5)
        XCTAssertThrowsError(try Zoo.make(name: "ResNet-18", channels: 3, imageSize: 32, classes: 10, using: &generator)) {
            guard case let .unknownNetwork(name, suggestions)? = $0 as? ZooError else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "ResNet-18")
            XCTAssertEqual(suggestions.first, "ResNet18")
        }
        XCTAssertEqual(Array(Zoo.suggestions(for: "convnetbn").prefix(1)), ["ConvNetBN"])
        XCTAssertEqual(Zoo.suggestions(for: "Transformer"), [])
        XCTAssertTrue("\(ZooError.unknownNetwork(name: "Transformer", suggestions: []))".contains("ResNet18BN_AP"))
        let tooDeep = "ConvNet(depth=6)"
        XCTAssertThrowsError(try Zoo.make(name: tooDeep, channels: 3, imageSize: 32, classes: 10, using: &generator)) {
            guard case .unsupportedInput? = $0 as? ZooError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Zoo.make(name: "LeNet", channels: 3, imageSize: 8, classes: 10, using: &generator))
        XCTAssertThrowsError(try Zoo.make(name: "MLP", channels: 3, imageSize: 32, classes: 0, using: &generator))
        XCTAssertEqual(Set(Zoo.names).count, Zoo.names.count)
    }

    func testStateDictNamesOfResNetShortcutsAndAveragePoolVariant() throws {
        var generator = SeededGenerator(seed: 6)
        let resnet = try Zoo.make(name: "ResNet18BN", channels: 3, imageSize: 32, classes: 10, using: &generator)
        let keys = resnet.stateDict().keys
        XCTAssertTrue(keys.contains("layer2.0.shortcut.1.running_mean"))
        XCTAssertFalse(keys.contains { $0.hasPrefix("layer1.0.shortcut") })
        let ap = try Zoo.make(name: "ResNet18BN_AP", channels: 1, imageSize: 28, classes: 10, using: &generator)
        XCTAssertTrue(ap.stateDict().keys.contains("layer4.0.shortcut.2.num_batches_tracked"))
        XCTAssertEqual(ap.stateDict()["classifier.weight"]?.shape, [10, 512 * 3 * 3])
    }
}
