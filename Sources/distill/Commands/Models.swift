// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillNN
import DistillTensor
import DistillZoo
import Foundation

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

    @Flag(
        help: ArgumentHelp(
            "Print one JSON object on the last line instead of a table: {name: parameter count}, "
                + "or {name: {\"unsupported\": reason}} for a network that cannot take the input."))
    var json = false

    func validate() throws {
        try requirePositive(classes, "--classes")
    }

    func run() throws {
        // Counted from the architectures, not by building the networks: a wide input would
        // otherwise allocate and initialise every network's weights just to count them.
        let rows = Zoo.names.map { name in
            (name: name, count: Result {
                try Zoo.checkedFootprint(name: name, channels: input.channels, imageSize: input.imageSize, classes: classes)
                    .parameters
            })
        }
        // An input no network can take (too large for the machine, say) is refused.
        if !rows.contains(where: { (try? $0.count.get()) != nil }) { _ = try rows[0].count.get() }
        if json {
            print("{" + rows.map { "\"\($0.name)\": \(Self.jsonValue($0.count))" }.joined(separator: ", ") + "}")
            return
        }
        let nameWidth = rows.map(\.name.count).max()!
        let header = "network".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        print(header + "  parameters (\(input), \(classes) classes)")
        for (name, count) in rows {
            let column = (try? count.get()).map(Self.grouped) ?? "cannot take this input: \(Self.reason(count))"
            print(name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + column)
        }
    }

    /// Why a network cannot take the input: the reason of its construction error, or that error.
    private static func reason(_ count: Result<Int, Error>) -> String {
        guard case .failure(let error) = count else { return "" }
        if case let .unsupportedInput(_, _, _, _, reason)? = error as? ZooError { return reason }
        return ErrorMessages.line(for: error)
    }

    /// A row's JSON value: the count, or `{"unsupported": reason}`.
    private static func jsonValue(_ count: Result<Int, Error>) -> String {
        if let count = try? count.get() { return String(count) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let reason = (try? encoder.encode(reason(count))).flatMap { String(data: $0, encoding: .utf8) } ?? "\"\""
        return "{\"unsupported\": \(reason)}"
    }

    /// `count` with thousands separators (11,173,962).
    static func grouped(_ count: Int) -> String {
        let digits = Array(String(count))
        return digits.enumerated().map { index, digit in
            index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
        }.joined()
    }
}
