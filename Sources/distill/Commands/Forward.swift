// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillAutograd
import DistillEval
import DistillIO
import DistillNN
import DistillTensor
import DistillZoo

struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a network on a batch of images and write its logits.",
        discussion: """
            Loads the network's parameters and buffers from --weights by PyTorch state_dict name \
            (num_batches_tracked optional), reads tensor 'x' [N, C, H, W] from --input, and writes \
            tensor 'logits' [N, classes] to --out atomically. Training mode (the default) normalises \
            BatchNorm layers with the statistics of the whole batch; --eval uses the running statistics.
            """)

    @Option(help: "Network name (see `distill models`) or a ConvNet spec.")
    var model: String

    @Option(help: "Safetensors file of the network's state_dict.")
    var weights: String

    @Option(help: "Safetensors file holding tensor 'x' [N, C, H, W].")
    var input: String

    @Option(help: "Where to write tensor 'logits' [N, classes] (safetensors).")
    var out: String

    @Option(parsing: .unconditional, help: "Number of classes; read from the weights when omitted.")
    var classes: Int?

    @Flag(help: "Run in evaluation mode (BatchNorm uses its running statistics).")
    var eval = false

    func validate() throws {
        try requireNetwork(model, "--model")
        for (path, option) in [(weights, "--weights"), (input, "--input"), (out, "--out")] { try requirePath(path, option) }
        try requirePositive(classes, "--classes")
        // The logits are written over --out: an input named again there would be lost.
        for path in [weights, input] { try OutputIsInputError.check(out, against: path) }
    }

    func run() throws {
        // Refuse an --out that cannot be written before loading anything.
        try AtomicWrite.probeFile(out, option: "--out")
        let x = try SafeTensorsFile(contentsOf: input).floats("x")
        guard x.rank == 4, x.shape[0] > 0, x.shape[2] == x.shape[3] else {
            throw ForwardError.badImages(file: input, shape: x.shape)
        }
        if let error = NonFiniteValueError(file: input, tensor: "tensor 'x'", values: x.scalars) { throw error }
        let (channels, size) = (x.shape[1], x.shape[2])
        let weightsFile = try SafeTensorsFile(contentsOf: weights)
        // Weights from `distill train --save` record the images they were trained on and their class
        // count; others may not, but what a file records is read by the rule `--teacher-weights` uses.
        if let recorded = try TrainedNetworkInfo.imageShape(in: weightsFile.metadata, file: weights),
            recorded != [channels, size, size]
        {
            throw ForwardError.imageShapeMismatch(file: input, shape: x.shape, weights: weights, recorded: recorded)
        }
        let recordedClasses = try TrainedNetworkInfo.classCount(in: weightsFile.metadata, file: weights)
        let state = try StateDict(weightsFile)
        try state.checkFinite(file: weights)
        var generator = SeededGenerator(seed: 0)
        // A network that cannot take the images is named with the recorded class count
        // (a probe for the count would name its own).
        let classCount = try classes ?? recordedClasses ?? inferClasses(state, channels: channels, size: size, using: &generator)
        let network = try Zoo.make(
            name: model, channels: channels, imageSize: size, classes: classCount, using: &generator)
        try network.load(stateDict: state)
        network.setTraining(!eval)
        let logits = withoutGradients { network(Tensor(x)) }.array
        // Finite inputs and weights can still overflow on the way through the network.
        let nonFinite = logits.scalars.count(where: { !$0.isFinite })
        guard nonFinite == 0 else {
            throw ForwardError.overflow(weights: weights, input: input, count: nonFinite, of: logits.scalars.count)
        }
        try SafeTensors.write(["logits": SafeTensorsEntry(logits)], to: out)
    }

    /// The class count the weights were saved with: the length of the network's
    /// last parameter, which in every zoo network is the classifier's bias.
    private func inferClasses(
        _ state: StateDict, channels: Int, size: Int, using generator: inout SeededGenerator
    ) throws -> Int {
        let probe = try Zoo.make(name: model, channels: channels, imageSize: size, classes: 1, using: &generator)
        let key = probe.namedParameters().last!.name
        guard let entry = state[key], entry.shape.count == 1 else {
            throw ForwardError.unknownClassCount(file: weights, key: key, model: model)
        }
        return entry.shape[0]
    }
}

/// Input problems `distill forward` finds before the library sees them.
enum ForwardError: Error, CustomStringConvertible {
    case badImages(file: String, shape: [Int])
    case unknownClassCount(file: String, key: String, model: String)
    case imageShapeMismatch(file: String, shape: [Int], weights: String, recorded: [Int])
    case overflow(weights: String, input: String, count: Int, of: Int)

    var description: String {
        switch self {
        case let .badImages(file, shape):
            return "tensor 'x' in \(file) has shape \(shape); expected [N, C, H, W] with N > 0 and H == W"
        case let .unknownClassCount(file, key, model):
            return "\(file) has no 1-D '\(key)' to read the class count from; "
                + "pass --classes, or use weights saved from \(model)"
        case let .imageShapeMismatch(file, shape, weights, recorded):
            return "tensor 'x' in \(file) holds \(shape.dropFirst().map(String.init).joined(separator: "×")) images but "
                + "\(weights) records image_shape \(recorded.map(String.init).joined(separator: ",")), "
                + "the images its network was trained on"
        case let .overflow(weights, input, count, total):
            return "the logits hold \(count) non-finite value\(count == 1 ? "" : "s") of \(total): the inputs in \(input) "
                + "and the weights in \(weights) overflow float32 in the network; nothing was written"
        }
    }
}
