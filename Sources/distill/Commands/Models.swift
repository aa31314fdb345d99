// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillNN
import DistillTensor
import DistillZoo

/// An image shape written `CxHxW` on the command line (square images only).
struct InputShape: ExpressibleByArgument, CustomStringConvertible {
    let channels: Int
    let imageSize: Int

    init?(argument: String) {
        let parts = argument.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let channels = parts[0], let height = parts[1], let width = parts[2],
            channels > 0, height > 0, height == width
        else { return nil }
        (self.channels, self.imageSize) = (channels, height)
    }

    var description: String { "\(channels)x\(imageSize)x\(imageSize)" }
}

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every named network with its parameter count.",
        discussion: """
            Networks are those of the DC / DSA / DM papers and the model-pool paper. Wherever a \
            network name is accepted, a ConvNet spec such as \(ConvNetSpec()) is accepted too.
            """)

    @Option(parsing: .unconditional, help: "Input shape CxHxW (square), e.g. 1x28x28 or 3x32x32.")
    var input = InputShape(argument: "1x28x28")!

    @Option(parsing: .unconditional, help: "Number of classes.")
    var classes = 10

    @Flag(help: "Print one JSON object {name: parameter count} on the last line instead of a table.")
    var json = false

    func validate() throws {
        try requirePositive(classes, "--classes")
    }

    func run() throws {
        // Counts do not depend on the weights; a fixed seed keeps the command deterministic.
        var generator = SeededGenerator(seed: 0)
        var counts: [(name: String, count: Int)] = []
        for name in Zoo.names {
            let network = try Zoo.make(
                name: name, channels: input.channels, imageSize: input.imageSize, classes: classes, using: &generator)
            counts.append((name, network.parameterCount))
        }
        if json {
            print("{" + counts.map { "\"\($0.name)\": \($0.count)" }.joined(separator: ", ") + "}")
            return
        }
        let nameWidth = counts.map(\.name.count).max()!
        let header = "network".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        print(header + "  parameters (\(input), \(classes) classes)")
        for (name, count) in counts {
            print(name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + Self.grouped(count))
        }
    }

    /// `count` with thousands separators (11,173,962).
    static func grouped(_ count: Int) -> String {
        let digits = Array(String(count))
        return digits.enumerated().map { index, digit in
            index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
        }.joined()
    }
}
