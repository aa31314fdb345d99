// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor
import DistillZoo
import XCTest
import _DistillTestSupport

/// Every network of the golden files against PyTorch: parameter names,
/// shapes and order; train-mode logits, loss and every parameter gradient
/// under the deterministic fill; eval-mode logits where BatchNorm is present.
final class GoldenNetworkTests: XCTestCase {
    func testNetworksFor1x28x28MatchPyTorch() throws {
        try checkEveryNetwork(in: "nets_c1_28", channels: 1, imageSize: 28)
    }

    func testNetworksFor3x32x32MatchPyTorch() throws {
        try checkEveryNetwork(in: "nets_c3_32", channels: 3, imageSize: 32)
    }

    private func checkEveryNetwork(in fileName: String, channels: Int, imageSize: Int) throws {
        let golden = try Golden(fileName)
        let manifest = try GoldenManifest(golden)
        XCTAssertEqual(manifest.networks.count, 26)
        for name in manifest.networks.keys.sorted() {
            try check(name, manifest.network(name), golden, channels: channels, imageSize: imageSize)
        }
    }

    private func check(
        _ name: String, _ reference: GoldenNetwork, _ golden: Golden, channels: Int, imageSize: Int
    ) throws {
        var generator = SeededGenerator(seed: 0)
        let net = try Zoo.make(name: name, channels: channels, imageSize: imageSize, classes: 10, using: &generator)
        let context = "\(golden.name) \(name)"

        // Names, shapes and order of parameters and running statistics.
        XCTAssertEqual(net.namedParameters().map(\.name), reference.params.map(\.name), context)
        XCTAssertEqual(net.namedParameters().map(\.tensor.shape), reference.params.map(\.shape), context)
        let buffers = net.stateDict().entries.filter {
            $0.key.hasSuffix(".running_mean") || $0.key.hasSuffix(".running_var")
        }
        XCTAssertEqual(buffers.map(\.key), reference.buffers.map(\.name), context)
        XCTAssertEqual(buffers.map(\.value.shape), reference.buffers.map(\.shape), context)

        // The fill, loaded by name (num_batches_tracked is optional on load).
        let filled = StateDict(
            (reference.filledParameters() + reference.filledBuffers()).map { ($0.name, .float($0.value)) })
        try net.load(stateDict: filled)

        let x = Tensor(try golden.floats("\(name)/x"))
        let labels = try golden.integers("\(name)/y")
        net.train()
        let logits = net(x)
        let loss = crossEntropy(logits: logits, labels: labels)
        let grads = try gradients(of: loss, withRespectTo: net.parameters)
        try expect(golden.compare(logits.array, to: "\(name)/logits_train"), context)
        try expect(golden.compare(loss.array, to: "\(name)/loss_train"), context)

        let largestGradient = try reference.params.map {
            try golden.file.doubles("\(name)/gradstat/\($0.name)").values[3]
        }.max()!
        let absoluteBound = 1e-3 * largestGradient
        var outOfTolerance: [GoldenComparison] = []
        for (spec, gradient) in zip(reference.params, grads) {
            let full = "\(name)/grad/\(spec.name)"
            let comparison = golden.file.contains(full)
                ? try golden.compare(gradient.array, to: full, absoluteBound: absoluteBound)
                : try golden.compareGradientStatistics(
                    gradient.array, to: "\(name)/gradstat/\(spec.name)", absoluteBound: absoluteBound)
            if comparison.isAbsolute || comparison.passed {
                expect(comparison, context)
            } else {
                outOfTolerance.append(comparison)
            }
        }
        if !outOfTolerance.isEmpty {
            // ReLU pre-activations within float32 rounding of zero make some deep
            // networks' gradients discontinuous at the golden input: which side
            // of the kink a value lands on depends on summation order, and one
            // flipped mask moves a gradient by far more than rounding does. For
            // those networks the bound widens to twice the change our own
            // gradients show under a 1e-6 or a 1e-5 relative input jitter. The
            // larger one flips pre-activations a few ulps from zero, such as the
            // 3e-8 one in ConvNetW64 at 3×32×32 that the AVX-512 and AVX2 BLAS
            // kernels round to opposite sides. Networks that meet the file's
            // tolerance never reach this branch.
            // Entries that are zero in exact arithmetic (null tolerance) hold
            // rounding noise whose relative change means nothing, so they are left out.
            let measures: [GradientMeasure] = try reference.params.map { spec in
                let full = "\(name)/grad/\(spec.name)"
                if golden.file.contains(full) { return try golden.tolerance(for: full) == nil ? .skip : .relative }
                return try golden.tolerance(for: "\(name)/gradstat/\(spec.name)") == nil ? .skip : .statistics
            }
            let fine = try jitterSensitivity(
                net, x: x.array, labels: labels, baseline: grads.map(\.array), measures: measures, scale: 1e-6, draws: 2)
            let coarse = try jitterSensitivity(
                net, x: x.array, labels: labels, baseline: grads.map(\.array), measures: measures, scale: 1e-5, draws: 4)
            let sensitivity = max(fine, coarse)
            // Measured on the ResNets, which are the networks that need this: 0.02 to 0.15.
            // A change near 1 would mean chaotic, i.e. wrong, gradients rather than a kink.
            XCTAssertLessThan(fine, 0.25, "\(context): gradients change too much under a 1e-6 jitter")
            for comparison in outOfTolerance {
                XCTAssertLessThanOrEqual(
                    comparison.error, 2 * sensitivity,
                    "\(context): \(comparison); jitter sensitivity \(sensitivity) does not explain it")
            }
        }

        if golden.file.contains("\(name)/logits_eval") {
            XCTAssertFalse(reference.buffers.isEmpty, context)
            try net.load(stateDict: filled)  // the training pass moved the running statistics
            net.eval()
            let evaluated = withoutGradients { net(x) }
            try expect(golden.compare(evaluated.array, to: "\(name)/logits_eval"), context)
        } else {
            XCTAssertTrue(reference.buffers.isEmpty, context)
        }
    }

    /// How a parameter's gradient is compared with the golden file.
    enum GradientMeasure { case relative, statistics, skip }

    /// The largest change of any parameter gradient, measured as the golden
    /// comparison measures it (relative L2 for full gradients, the gradstat
    /// errors otherwise), when the input is multiplied by `1 + scale·ξ`,
    /// ξ standard normal, over `draws` fixed draws.
    private func jitterSensitivity(
        _ net: Network, x: NDArray, labels: [Int], baseline: [NDArray], measures: [GradientMeasure], scale: Float, draws: Int
    ) throws -> Double {
        var generator = SeededGenerator(seed: 1234)
        var largest = 0.0
        for _ in 0..<draws {
            let jittered = x.map { $0 * (1 + scale * generator.nextNormal()) }
            let loss = crossEntropy(logits: net(Tensor(jittered)), labels: labels)
            let grads = try gradients(of: loss, withRespectTo: net.parameters).map(\.array)
            for ((base, moved), measure) in zip(zip(baseline, grads), measures) {
                switch measure {
                case .skip: continue
                case .relative: largest = max(largest, relativeError(moved, base))
                case .statistics:
                    let errors = Golden.gradientStatisticErrors(of: moved, reference: Golden.gradientStatistics(of: base))
                    largest = max(largest, errors.max()!)
                }
            }
        }
        return largest
    }

    private func expect(_ comparison: GoldenComparison, _ context: String, line: UInt = #line) {
        XCTAssertTrue(comparison.passed, "\(context): \(comparison)", line: line)
    }
}
