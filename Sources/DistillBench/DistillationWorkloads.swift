// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillMethods
import DistillNN
import DistillTensor
import DistillZoo

/// The four workloads of the PyTorch reference (`bench/torch_dc_bench.py`),
/// with its shapes, batch sizes and losses: the DC ConvNet (width 128,
/// depth 3, instance norm, ReLU, average pooling) on Fashion-MNIST-shaped
/// images (1×28×28, 10 classes).
///
/// Pixels are standard-normal draws, not real images: timing does not depend
/// on pixel values, and the bench then runs without any dataset installed.
extension BenchSuite {
    static let classes = 10
    static let imageShape = [1, 28, 28]

    /// Forward-backward FLOPs of the DC ConvNet per 1×28×28 image: three 3×3
    /// convolutions (1→128 at 32×32, 128→128 at 16×16 and 8×8) count
    /// forward, weight gradient and (except the first) input gradient.
    static var convNetStepFlopsPerImage: Double {
        let conv1 = 2.0 * 32 * 32 * 128 * 9
        let conv2 = 2.0 * 16 * 16 * 128 * 128 * 9
        let conv3 = 2.0 * 8 * 8 * 128 * 128 * 9
        return 2 * conv1 + 3 * (conv2 + conv3)
    }

    /// `step_fwd_bwd_256`: cross-entropy of a 256-image batch and its
    /// gradient with respect to every parameter.
    public static func stepForwardBackward(batch: Int = 256) -> Workload {
        Workload(
            name: "step_fwd_bwd_\(batch)", sizes: ["batch": batch, "width": 128, "depth": 3],
            flops: Double(batch) * convNetStepFlopsPerImage
        ) {
            var generator = SeededGenerator(seed: 3)
            let network = convNet(using: &generator)
            let images = Tensor(NDArray.normal(shape: [batch] + imageShape, using: &generator))
            let labels = (0..<batch).map { $0 % classes }
            return {
                let loss = crossEntropy(logits: network(images), labels: labels)
                _ = try! gradients(of: loss, withRespectTo: network.parameters)
            }
        }
    }

    /// `dc_outer_ipc1`: one DC outer iteration at ipc 1 with a fresh network:
    /// for 10 classes, the gradient of 256 real images and the second-order
    /// gradient of the synthetic images, then one image update.
    ///
    /// - Parameter measuresPeakMemory: also report the peak resident memory
    ///   of the step (`dc_outer_ipc10_peak_rss_mb` at ipc 10).
    public static func gradientMatchingStep(imagesPerClass: Int = 1, measuresPeakMemory: Bool = false) -> Workload {
        Workload(
            name: "dc_outer_ipc\(imagesPerClass)",
            sizes: ["classes": classes, "ipc": imagesPerClass, "batch_real": 256], flops: nil,
            measuresPeakMemory: measuresPeakMemory
        ) {
            let run = gradientMatchingRun(imagesPerClass: imagesPerClass)
            var state = run.state
            return { state = run.stepped(state) }
        }
    }

    /// `eval_train_300`: a fresh ConvNet trained for 301 full-batch steps on
    /// 10 images (SGD lr 0.01, momentum 0.9, weight decay 5e-4).
    public static func evaluationTraining(epochs: Int = 300) -> Workload {
        Workload(
            name: "eval_train_\(epochs)", sizes: ["images": classes, "epochs": epochs], flops: nil
        ) {
            var generator = SeededGenerator(seed: 4)
            let images = Tensor(NDArray.normal(shape: [classes] + imageShape, using: &generator))
            let labels = Array(0..<classes)
            return {
                var initGenerator = SeededGenerator(seed: 5)
                let network = convNet(using: &initGenerator)
                var optimizer = SGD(learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
                for _ in 0...epochs {
                    let loss = crossEntropy(logits: network(images), labels: labels)
                    optimizer.step(network, gradients: try! gradients(of: loss, withRespectTo: network.parameters))
                }
            }
        }
    }

    /// `test_10k`: a forward pass without gradients over 10,000 images in batches of 256.
    public static func testForward(images count: Int = 10_000, batch: Int = 256) -> Workload {
        Workload(name: "test_10k", sizes: ["images": count, "batch": batch], flops: nil) {
            var generator = SeededGenerator(seed: 6)
            let network = convNet(using: &generator)
            network.eval()
            let images = NDArray.normal(shape: [count] + imageShape, using: &generator)
            return {
                withoutGradients {
                    for start in stride(from: 0, to: count, by: batch) {
                        let rows = Array(start..<min(start + batch, count))
                        _ = network(Tensor(images.rows(rows)))
                    }
                }
            }
        }
    }

    /// A fresh DC ConvNet for 1×28×28 images and 10 classes.
    static func convNet(using generator: inout SeededGenerator) -> Network {
        try! Zoo.make(name: "ConvNet", channels: imageShape[0], imageSize: imageShape[1], classes: classes, using: &generator)
    }

    /// A DC run of one outer step per iteration (no inner-loop training) over
    /// 512 random images per class, with its initial state.
    static func gradientMatchingRun(imagesPerClass: Int) -> (state: CondensationState, stepped: (CondensationState) -> CondensationState) {
        let data = RandomImages(classCount: classes, imageShape: imageShape, perClass: 512, seed: 7)
        let configuration = try! GradientMatchingConfiguration(
            imagesPerClass: imagesPerClass, iterations: Int.max, outerLoop: 1, innerLoop: 0)
        let method = try! GradientMatching(configuration: configuration, data: data)
        let state = try! method.initialState(seed: 8)
        return (state, { state in
            var next = state
            _ = try! method.step(&next)
            return next
        })
    }
}

/// Standard-normal images, `perClass` of each class, as a real-image source.
struct RandomImages: RealImageSource {
    let classCount: Int
    let imageShape: [Int]
    let perClass: Int
    let images: NDArray

    init(classCount: Int, imageShape: [Int], perClass: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.classCount = classCount
        self.imageShape = imageShape
        self.perClass = perClass
        images = NDArray.normal(shape: [classCount * perClass] + imageShape, using: &generator)
    }

    func imageCount(ofClass label: Int) -> Int { perClass }

    func sample(count: Int, ofClass label: Int, using generator: inout SeededGenerator) throws -> NDArray {
        precondition(count <= perClass, "RandomImages: \(count) images asked of a class of \(perClass)")
        var chosen = Array(0..<perClass)
        for position in 0..<count {
            chosen.swapAt(position, position + Int(generator.next() % UInt64(perClass - position)))
        }
        return images.rows(chosen.prefix(count).map { label * perClass + $0 })
    }
}
