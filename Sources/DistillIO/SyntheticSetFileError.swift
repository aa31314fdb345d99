// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// A safetensors file whose tensors are readable but do not form a synthetic set.
public enum SyntheticSetFileError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A tensor of the wrong rank: `images` must be [N, C, H, W], `labels` [N].
    case wrongRank(file: String, tensor: String, shape: [Int], expected: String)
    /// The images and labels count different samples.
    case countMismatch(file: String, images: Int, labels: Int)
    /// N = 0: nothing to evaluate or draw.
    case empty(file: String)
    /// A label outside the dataset's classes (`classes` nil when the set does not say how many there are).
    case labelOutOfRange(file: String, label: Int, classes: Int?)
    /// The `class_names` metadata lists another number of classes than the set's dataset has.
    case classNamesMismatch(file: String, names: Int, dataset: String, classes: Int)
    /// A class of the dataset with no image in the set (`name` when known).
    case missingClass(file: String, label: Int, name: String?)

    public var description: String {
        switch self {
        case let .wrongRank(file, tensor, shape, expected):
            return "\(file): tensor '\(tensor)' has rank \(shape.count) (shape \(shape)); "
                + "a synthetic set's \(tensor) are \(expected)"
        case let .countMismatch(file, images, labels):
            return "\(file) holds \(images) images but \(labels) labels; each image needs one label"
        case let .empty(file):
            return "\(file) holds no images; condense a set with at least one image per class"
        case let .labelOutOfRange(file, label, classes):
            return "\(file) has label \(label) but "
                + (classes.map { "the dataset has \($0) classes (labels 0 to \($0 - 1))" } ?? "labels start at 0")
        case let .classNamesMismatch(file, names, dataset, classes):
            return "\(file) lists \(names) class names in its 'class_names' metadata, but \(dataset) has \(classes) classes; "
                + "a synthetic set names every class of its dataset"
        case let .missingClass(file, label, name):
            return "\(file) has no image of class \(label)\(name.map { " (\($0))" } ?? ""); "
                + "a synthetic set needs at least one image per class"
        }
    }

    public var errorDescription: String? { description }
}

/// A class name a set's `class_names` metadata (one name per line) cannot record: it holds a line feed.
public struct UnrecordableClassNameError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public let name: String

    public init(name: String) { self.name = name }

    public var description: String {
        "the class name \(name.debugDescription) holds a line break, which a set's 'class_names' metadata "
            + "(one name per line) cannot record; rename the class"
    }

    public var errorDescription: String? { description }
}
