// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output path that names one of the command's input files, by the same path or
/// another (a hard or symbolic link): writing it would replace the input it was made from.
public struct OutputIsInputError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The option that names the output, e.g. `--out`.
    public let option: String
    public let output: String
    public let input: String

    public var description: String {
        "\(option) \(output) is the input file \(input); write to another file so the input is kept"
    }

    public var errorDescription: String? { description }

    /// Throws when `output` is the same file as `input` (same device and inode). An output
    /// that does not exist yet, or an input that cannot be looked at, is no clash here.
    public static func check(_ output: String, against input: String, option: String = "--out") throws {
        var out = stat(), source = stat()
        guard stat(output, &out) == 0, stat(input, &source) == 0 else { return }
        if out.st_dev == source.st_dev && out.st_ino == source.st_ino {
            throw OutputIsInputError(option: option, output: output, input: input)
        }
    }
}
