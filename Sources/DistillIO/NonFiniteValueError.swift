// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// A tensor read from a file that holds NaN or an infinity. Training on it (a
/// set's images, a teacher's weights) would only report the networks as
/// diverged, so such a file is refused where it is read, naming the value.
public struct NonFiniteValueError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let file: String
    public let tensor: String
    /// The flat index of the first non-finite value.
    public let index: Int
    public let value: Float

    /// The error for the first non-finite value of `values`, or nil when all are finite.
    public init?(file: String, tensor: String, values: [Float]) {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        (self.file, self.tensor, self.index, self.value) = (file, tensor, index, values[index])
    }

    public var description: String {
        "\(file): \(tensor) holds a non-finite value (\(value)) at index \(index); only files of finite numbers can be used"
    }
    public var errorDescription: String? { description }
}
