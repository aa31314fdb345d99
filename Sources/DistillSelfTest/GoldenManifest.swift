// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation

/// How a parameter is filled: Conv2d/Linear tensors, or normalisation affine terms.
public enum GoldenParameterRole: String, Decodable, Sendable {
    case weight
    case bias
    case normWeight = "norm_weight"
    case normBias = "norm_bias"
}

/// Which running statistic a buffer holds.
public enum GoldenBufferRole: String, Decodable, Sendable {
    case runningMean = "running_mean"
    case runningVar = "running_var"
}

/// One manifest parameter entry, stored in JSON as `[name, shape, role, fan_in]`.
public struct GoldenParameterSpec: Decodable, Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let role: GoldenParameterRole
    public let fanIn: Int

    public init(name: String, shape: [Int], role: GoldenParameterRole, fanIn: Int) {
        (self.name, self.shape, self.role, self.fanIn) = (name, shape, role, fanIn)
    }

    public init(from decoder: Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        name = try fields.decode(String.self)
        shape = try fields.decode([Int].self)
        role = try fields.decode(GoldenParameterRole.self)
        fanIn = try fields.decode(Int.self)
    }
}

/// One manifest buffer entry, stored in JSON as `[name, shape, role, k]`;
/// `index` is k, the buffer's number in state_dict order.
public struct GoldenBufferSpec: Decodable, Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let role: GoldenBufferRole
    public let index: Int

    public init(name: String, shape: [Int], role: GoldenBufferRole, index: Int) {
        (self.name, self.shape, self.role, self.index) = (name, shape, role, index)
    }

    public init(from decoder: Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        name = try fields.decode(String.self)
        shape = try fields.decode([Int].self)
        role = try fields.decode(GoldenBufferRole.self)
        index = try fields.decode(Int.self)
    }
}

/// One network of a golden manifest: its parameters and buffers in state_dict
/// order, and (in `dc`/`dm`) how to build it.
public struct GoldenNetwork: Decodable, Sendable {
    public let params: [GoldenParameterSpec]
    public let buffers: [GoldenBufferSpec]
    /// Architecture name (`ConvNet`, `VGG11BN`); in `dc` and `dm` only.
    public let net: String?
    /// ConvNet keyword arguments (`{"norm": "batchnorm", "act_": "swish"}`,
    /// `{"depth": 4}`), numbers as their decimal text; in `dc` only.
    public let kwargs: [String: String]?
    public let channel: Int?
    public let im: Int?
    /// Total number of parameter elements; in `nets_*` only.
    public let paramCount: Int?

    private enum CodingKeys: String, CodingKey {
        case params, buffers, net, kwargs, channel, im
        case paramCount = "param_count"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        params = try container.decode([GoldenParameterSpec].self, forKey: .params)
        buffers = try container.decode([GoldenBufferSpec].self, forKey: .buffers)
        net = try container.decodeIfPresent(String.self, forKey: .net)
        kwargs = try container.decodeIfPresent([String: KeywordValue].self, forKey: .kwargs)?.mapValues(\.text)
        channel = try container.decodeIfPresent(Int.self, forKey: .channel)
        im = try container.decodeIfPresent(Int.self, forKey: .im)
        paramCount = try container.decodeIfPresent(Int.self, forKey: .paramCount)
    }

    /// A keyword argument written as a JSON string or number (`"4"` or `4`).
    private struct KeywordValue: Decodable {
        let text: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let integer = try? container.decode(Int.self) {
                text = String(integer)
            } else if let number = try? container.decode(Double.self) {
                text = String(number)
            } else if let flag = try? container.decode(Bool.self) {
                text = String(flag)
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "a keyword argument must be a string, number or boolean")
            }
        }
    }

    /// The filled parameters, in manifest order (see `GoldenParameterFill`).
    public func filledParameters() -> [(name: String, value: NDArray)] { GoldenParameterFill.parameters(params) }

    /// The filled running statistics, in manifest order (see `GoldenParameterFill`).
    public func filledBuffers() -> [(name: String, value: NDArray)] { GoldenParameterFill.buffers(buffers) }
}

/// The `manifest` metadata of a golden file: network name → `GoldenNetwork`.
public struct GoldenManifest: Sendable {
    public let networks: [String: GoldenNetwork]
    private let file: String

    /// Parses the `manifest` entry of `golden`'s metadata.
    /// - Throws: `GoldenError.malformedManifest`.
    public init(_ golden: Golden) throws {
        let file = "\(golden.name).safetensors"
        guard let json = golden.file.metadata["manifest"] else {
            throw GoldenError.malformedManifest(file: file, reason: "no 'manifest' in __metadata__")
        }
        do {
            networks = try JSONDecoder().decode([String: GoldenNetwork].self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw GoldenError.malformedManifest(file: file, reason: error.plainReason(whole: "the manifest", json: Data(json.utf8)))
        }
        self.file = file
    }

    /// The network called `name`.
    /// - Throws: `GoldenError.missingNetwork`.
    public func network(_ name: String) throws -> GoldenNetwork {
        guard let network = networks[name] else {
            throw GoldenError.missingNetwork(file: file, name: name, available: networks.keys.sorted())
        }
        return network
    }
}

/// The deterministic parameter fill of the golden README.
///
///     splitmix64(x): z = x + 0x9E3779B97F4A7C15
///                    z = (z ^ (z >> 30)) · 0xBF58476D1CE4E5B9
///                    z = (z ^ (z >> 27)) · 0x94D049BB133111EB
///                    return z ^ (z >> 31)                         (mod 2⁶⁴)
///     u(j, i) = (splitmix64((j << 32) + i) >> 40) / 2²³ − 1      ∈ [−1, 1), exact in Float32
///
///     weight, bias:  u(j, i) / √fan_in        norm_weight: 1 + 0.1·u(j, i)    norm_bias: 0.1·u(j, i)
///     running_mean:  0.1·u(1000 + k, i)        running_var: 1 + 0.5·|u(1000 + k, i)|
///
/// j numbers parameters and k buffers in state_dict order, i is the row-major
/// element index; each value is computed in Double and rounded once to Float.
public enum GoldenParameterFill {
    public static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// u(j, i), exactly representable in Float32.
    public static func uniform(_ j: Int, _ i: Int) -> Double {
        Double(splitmix64((UInt64(j) << 32) &+ UInt64(i)) >> 40) / 8_388_608 - 1
    }

    /// The filled parameters, named and shaped as `specs`.
    /// - Precondition: Conv2d/Linear entries have a positive `fanIn`.
    public static func parameters(_ specs: [GoldenParameterSpec]) -> [(name: String, value: NDArray)] {
        specs.enumerated().map { j, spec in
            let value: (Double) -> Double
            switch spec.role {
            case .weight, .bias:
                precondition(spec.fanIn > 0, "GoldenParameterFill: '\(spec.name)' (\(spec.role)) has fan_in \(spec.fanIn)")
                let scale = Double(spec.fanIn).squareRoot()
                value = { $0 / scale }
            case .normWeight: value = { 1 + 0.1 * $0 }
            case .normBias: value = { 0.1 * $0 }
            }
            return (spec.name, fill(shape: spec.shape, stream: j, value))
        }
    }

    /// The filled running statistics, named and shaped as `specs`.
    public static func buffers(_ specs: [GoldenBufferSpec]) -> [(name: String, value: NDArray)] {
        specs.map { spec in
            let value: (Double) -> Double
            switch spec.role {
            case .runningMean: value = { 0.1 * $0 }
            case .runningVar: value = { 1 + 0.5 * abs($0) }
            }
            return (spec.name, fill(shape: spec.shape, stream: 1000 + spec.index, value))
        }
    }

    private static func fill(shape: [Int], stream j: Int, _ value: (Double) -> Double) -> NDArray {
        NDArray(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = Float(value(uniform(j, i))) }
        }
    }
}
