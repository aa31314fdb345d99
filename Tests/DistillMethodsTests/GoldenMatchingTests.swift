// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillMethods
import DistillNN
import DistillTensor
import DistillZoo
import XCTest
import _DistillTestSupport

/// The DC and DM matching losses and their gradients with respect to the
/// synthetic images against PyTorch (`dc.safetensors`, `dm.safetensors`),
/// through the second-order graph for DC.
///
/// Three cases are ill-conditioned in Float32. In `convnet_sigmoid_layernorm_max_c3`
/// a third-block max-pool window of the real batch holds two values 2 ulps
/// apart (0.38611978 vs 0.38611972), and which one wins decides where that
/// image's gradient flows. The Float64 reference picks the other one; nudging
/// the real batch by 3e-7 so that our Float32 order agrees brings every error
/// of the case below 1e-5. In `vgg11bn_c3` two inputs of a max-pool window
/// are 9e-8 (relative, about 1 ulp) apart: whether our Float32 order agrees
/// with the reference's depends on the convolution's summation order (direct
/// convolution happens to agree; Winograd's F(2×2, 3×3) and F(4×4, 3×3) do
/// not, which gives errors up to 1.7e-4). Where such a near tie (within
/// `nearTieGap`) exists in a ConvNet's or VGG's real batch, the test asserts
/// it and compares against `nearTieTolerance` instead (measured errors 1.7e-4
/// … 1.3e-2). Windows whose largest value is a ReLU zero tie harmlessly and
/// are not counted. In the DM case `convnet_c3` one second-block ReLU input
/// of the synthetic batch is 3.9e-6 (the block's inputs are instance-normalised,
/// of order 1): F(4×4, 3×3)'s rounding (about 2e-6) puts it above zero, the
/// Float64 reference below, and the gradient through that unit gives a dsyn
/// error of 2.2e-3 (F(2×2, 3×3) agreed: 9e-7). The test asserts that input
/// (below `reluNearZero`) and compares dsyn against `nearTieTolerance`.
final class GoldenMatchingTests: XCTestCase {
    /// Two max-pool inputs closer than this (relative) count as a near tie: 2 to 4 Float32 ulps.
    private let nearTieGap: Float = 3e-7
    private let nearTieTolerance = 0.03
    /// DM cases with a ReLU input this close to zero (see above).
    private let reluNearTies: Set<String> = ["convnet_c3"]
    private let reluNearZero: Float = 1e-5

    func testGradientMatchingLossesMatchPyTorch() throws {
        let golden = try Golden("dc")
        let manifest = try GoldenManifest(golden)
        XCTAssertEqual(manifest.networks.count, 10)
        for key in manifest.networks.keys.sorted() {
            let reference = try manifest.network(key)
            let network = try makeFilledNetwork(reference)
            if golden.file.contains("\(key)/x_bn") {
                XCTAssertTrue(
                    GradientMatching.calibrateBatchNorm(of: network, with: Tensor(try golden.floats("\(key)/x_bn"))))
            } else {
                XCTAssertFalse(
                    GradientMatching.calibrateBatchNorm(of: network, with: Tensor(try golden.floats("\(key)/x_real"))))
                network.train()
            }
            let real = Tensor(try golden.floats("\(key)/x_real"))
            let label = try golden.integers("\(key)/label")[0]
            let nearTie = smallestMaxPoolGap(network, real) < nearTieGap
            XCTAssertEqual(nearTie, ["convnet_sigmoid_layernorm_max_c3", "vgg11bn_c3"].contains(key), key)
            let bound: Double? = nearTie ? nearTieTolerance : nil
            for distance in MatchingDistance.allCases {
                let synthetic = Tensor(try golden.floats("\(key)/x_syn")).requiringGradient()
                let loss = try GradientMatching.classLoss(
                    network: network, real: real, synthetic: synthetic, label: label, distance: distance)
                let dsyn = try gradients(of: loss, withRespectTo: [synthetic])[0]
                expect(try golden.compare(loss.array, to: "\(key)/\(distance)/loss"), key, bound: bound)
                expect(try golden.compare(dsyn.array, to: "\(key)/\(distance)/dsyn"), key, bound: bound)
            }
        }
    }

    func testDistributionMatchingLossMatchesPyTorch() throws {
        let golden = try Golden("dm")
        let manifest = try GoldenManifest(golden)
        XCTAssertEqual(manifest.networks.count, 2)
        for key in manifest.networks.keys.sorted() {
            let network = try makeFilledNetwork(try manifest.network(key))
            let embedding = try XCTUnwrap(network as? any Embedding, key)
            network.train()
            let real = Tensor(try golden.floats("\(key)/x_real"))
            let synthetic = Tensor(try golden.floats("\(key)/x_syn")).requiringGradient()
            expect(try golden.compare(embedding.embed(real).array, to: "\(key)/embed_real"), key)
            let loss = DistributionMatching.classLoss(embedding: embedding, real: real, synthetic: synthetic)
            let dsyn = try gradients(of: loss, withRespectTo: [synthetic])[0]
            expect(try golden.compare(loss.array, to: "\(key)/loss"), key)
            var bound: Double?
            if reluNearTies.contains(key) {
                XCTAssertLessThan(smallestReLUInput(network, synthetic.detached()), reluNearZero, key)
                bound = nearTieTolerance
            }
            expect(try golden.compare(dsyn.array, to: "\(key)/dsyn"), key, bound: bound)
        }
    }

    /// The manifest's network (name plus ConvNet keyword arguments) with the golden parameter fill.
    private func makeFilledNetwork(_ reference: GoldenNetwork) throws -> Network {
        let name = try XCTUnwrap(reference.net)
        let kwargs = reference.kwargs ?? [:]
        // DC's ConvNet keyword `act_` is the spec key `act`.
        let arguments = kwargs.sorted { $0.key < $1.key }.map { "\($0.key == "act_" ? "act" : $0.key)=\($0.value)" }
        let architecture = arguments.isEmpty ? name : "\(name)(\(arguments.joined(separator: ",")))"
        let classes = try XCTUnwrap(reference.params.last?.shape.first)
        var generator = SeededGenerator(seed: 0)
        let network = try Zoo.make(
            name: architecture, channels: try XCTUnwrap(reference.channel), imageSize: try XCTUnwrap(reference.im),
            classes: classes, using: &generator)
        let filled = (reference.filledParameters() + reference.filledBuffers()).map {
            ($0.name, StateTensor.float($0.value))
        }
        try network.load(stateDict: StateDict(filled))
        return network
    }

    /// The smallest relative gap between the two largest inputs of any max-pool window
    /// that `images` meet in a ConvNet or VGG (infinity for other networks or without max pooling).
    private func smallestMaxPoolGap(_ network: Network, _ images: Tensor) -> Float {
        let features: Sequential
        if let convNet = network as? ConvNet { features = convNet.features }
        else if let vgg = network as? VGG11 { features = vgg.features }
        else { return .infinity }
        var smallest = Float.infinity
        var x = images
        for layer in features.layers {
            if let pool = layer as? MaxPool2d {
                let shape = x.shape
                let values = x.scalars
                for plane in 0..<(shape[0] * shape[1]) {
                    for row in stride(from: 0, through: shape[2] - pool.kernel, by: pool.stride) {
                        for column in stride(from: 0, through: shape[3] - pool.kernel, by: pool.stride) {
                            var window: [Float] = []
                            for i in 0..<pool.kernel {
                                let start = (plane * shape[2] + row + i) * shape[3] + column
                                window += values[start..<(start + pool.kernel)]
                            }
                            window.sort(by: >)
                            // A window of ReLU zeros ties harmlessly: no gradient flows through any of them.
                            if window[0] == 0 { continue }
                            smallest = min(
                                smallest, (window[0] - window[1]) / max(abs(window[0]), .leastNormalMagnitude))
                        }
                    }
                }
            }
            x = withoutGradients { layer(x) }
        }
        return smallest
    }

    /// The smallest magnitude of any ReLU input in a ConvNet's features for `images`.
    private func smallestReLUInput(_ network: Network, _ images: Tensor) -> Float {
        guard let convNet = network as? ConvNet else { return .infinity }
        var smallest = Float.infinity
        var x = images
        for layer in convNet.features.layers {
            if layer is ReLU { smallest = min(smallest, x.scalars.map(abs).min() ?? .infinity) }
            x = withoutGradients { layer(x) }
        }
        return smallest
    }

    /// Asserts a comparison; `bound` replaces the fixture tolerance where a near tie is documented.
    private func expect(_ comparison: GoldenComparison, _ context: String, bound: Double? = nil, line: UInt = #line) {
        let passed = bound.map { comparison.error <= $0 } ?? comparison.passed
        XCTAssertTrue(passed, "\(context): \(comparison)\(bound.map { " (near-tie bound \($0))" } ?? "")", line: line)
    }
}
