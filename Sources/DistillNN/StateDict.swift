// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillIO
import DistillTensor

/// One entry of a state dict: Float32 values (parameters, running statistics)
/// or 64-bit integers (`num_batches_tracked`).
public enum StateTensor: Sendable, Equatable {
    case float(NDArray)
    case int64(shape: [Int], values: [Int64])

    /// The entry's shape.
    public var shape: [Int] {
        switch self {
        case let .float(array): return array.shape
        case let .int64(shape, _): return shape
        }
    }

    /// The dtype name as safetensors spells it (`F32` or `I64`).
    public var dtypeName: String {
        switch self {
        case .float: return "F32"
        case .int64: return "I64"
        }
    }
}

/// Named tensors in `state_dict` order: a module's parameters and buffers by
/// their dotted PyTorch names.
public struct StateDict: Sendable, Equatable {
    /// The names in order.
    public private(set) var keys: [String] = []
    private var values: [String: StateTensor] = [:]

    /// An empty state dict.
    public init() {}

    /// A state dict of `entries` in the given order; a repeated key keeps its first position and last value.
    public init(_ entries: [(key: String, value: StateTensor)]) {
        for (key, value) in entries { self[key] = value }
    }

    /// The entries in order.
    public var entries: [(key: String, value: StateTensor)] { keys.map { ($0, values[$0]!) } }

    /// The entry named `key`; assigning appends a new key at the end, and nil removes it.
    public subscript(key: String) -> StateTensor? {
        get { values[key] }
        set {
            if newValue != nil, values[key] == nil { keys.append(key) }
            if newValue == nil, values[key] != nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }

    /// Checks that every Float32 entry is finite: a network loaded with a NaN or
    /// infinite weight computes non-finite outputs for every input.
    /// - Parameter file: the file the entries were read from, for the message.
    /// - Throws: `NonFiniteValueError` naming the first such entry and index.
    public func checkFinite(file: String) throws {
        for key in keys {
            if case .float(let values)? = self[key], let error = NonFiniteValueError(file: file, tensor: key, values: values.scalars) {
                throw error
            }
        }
    }
}

/// Why a state dict does not fit a module.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    /// The module has a tensor the state dict lacks.
    case missing(key: String, expectedShape: [Int])
    /// The state dict has a tensor the module lacks.
    case unexpected(key: String, shape: [Int])
    /// Both have the tensor, with different shapes.
    case shapeMismatch(key: String, expected: [Int], actual: [Int])
    /// Both have the tensor, with different element types.
    case dtypeMismatch(key: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .missing(key, expectedShape):
            return "state dict lacks '\(key)' (the model expects shape \(expectedShape)); "
                + "the weights are for another architecture or configuration"
        case let .unexpected(key, shape):
            return "state dict has '\(key)' of shape \(shape), which the model does not have; "
                + "the weights are for another architecture or configuration"
        case let .shapeMismatch(key, expected, actual):
            return "state dict '\(key)' has shape \(actual) but the model expects \(expected); "
                + "check the class count, input channels and image size"
        case let .dtypeMismatch(key, expected, actual):
            return "state dict '\(key)' is \(actual) but the model stores \(expected)"
        }
    }
}

extension Module {
    /// The module's parameters and buffers by dotted name, in PyTorch
    /// `state_dict` order: each module's parameters, then its buffers, then
    /// its children's entries.
    public func stateDict() -> StateDict {
        var result = StateDict()
        visitModules { prefix, module in
            for (key, tensor) in zip(module.localParameterKeys, module.localParameters) {
                result[prefix + key] = .float(tensor.array)
            }
            for (key, value) in module.localBuffers { result[prefix + key] = value }
        }
        return result
    }

    /// Replaces every parameter and buffer with the entry of the same name.
    ///
    /// All entries are checked before anything changes, so a refused state
    /// dict leaves the module as it was. Loaded parameters become new leaf
    /// variables. `num_batches_tracked` may be absent (the count is then kept).
    ///
    /// - Throws: `StateDictError` for a missing, extra, mis-shaped or mistyped entry.
    public func load(stateDict: StateDict) throws {
        var expected = Set<String>()
        func check(_ key: String, _ current: StateTensor, optional: Bool) throws -> StateTensor? {
            expected.insert(key)
            guard let loaded = stateDict[key] else {
                if optional { return nil }
                throw StateDictError.missing(key: key, expectedShape: current.shape)
            }
            guard loaded.dtypeName == current.dtypeName else {
                throw StateDictError.dtypeMismatch(key: key, expected: current.dtypeName, actual: loaded.dtypeName)
            }
            guard loaded.shape == current.shape else {
                throw StateDictError.shapeMismatch(key: key, expected: current.shape, actual: loaded.shape)
            }
            return loaded
        }
        var parameterUpdates: [(Module, Int, NDArray)] = []
        var bufferUpdates: [(Module, String, StateTensor)] = []
        try visitModules { prefix, module in
            for (index, (key, tensor)) in zip(module.localParameterKeys, module.localParameters).enumerated() {
                if case let .float(array)? = try check(prefix + key, .float(tensor.array), optional: false) {
                    parameterUpdates.append((module, index, array))
                }
            }
            for (key, value) in module.localBuffers {
                if let loaded = try check(prefix + key, value, optional: key == "num_batches_tracked") {
                    bufferUpdates.append((module, key, loaded))
                }
            }
        }
        // A stray batch count says less about the mismatch than a stray tensor, so name a tensor first.
        let extras = stateDict.keys.filter { !expected.contains($0) }
        if let extra = extras.first(where: { !$0.hasSuffix("num_batches_tracked") }) ?? extras.first {
            throw StateDictError.unexpected(key: extra, shape: stateDict[extra]!.shape)
        }
        for (module, index, array) in parameterUpdates {
            module.replaceParameter(at: index, with: Tensor(array).requiringGradient())
        }
        for (module, key, value) in bufferUpdates { module.loadLocalBuffer(key, value) }
    }
}
