// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// One tensor to write to a safetensors file: F32 from an `NDArray`, F64 or I64 from Swift arrays.
public struct SafeTensorsEntry: Sendable, Equatable {
    fileprivate enum Storage: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
        case int64([Int64])
    }

    public let shape: [Int]
    fileprivate let storage: Storage

    public var dtype: SafeTensorsDType {
        switch storage {
        case .float32: return .float32
        case .float64: return .float64
        case .int64: return .int64
        }
    }

    /// An F32 tensor with the array's shape and elements.
    public init(_ array: NDArray) {
        self.shape = array.shape
        self.storage = .float32(array.scalars)
    }

    /// An F64 tensor.
    /// - Precondition: `values.count` equals the product of `shape`.
    public init(shape: [Int], doubles values: [Double]) {
        precondition(
            shape.allSatisfy { $0 >= 0 } && shape.elementCount == values.count,
            "SafeTensorsEntry: shape \(shape) needs \(shape.elementCount) doubles, got \(values.count)")
        self.shape = shape
        self.storage = .float64(values)
    }

    /// An I64 tensor.
    /// - Precondition: `values.count` equals the product of `shape`.
    public init(shape: [Int], integers values: [Int64]) {
        precondition(
            shape.allSatisfy { $0 >= 0 } && shape.elementCount == values.count,
            "SafeTensorsEntry: shape \(shape) needs \(shape.elementCount) integers, got \(values.count)")
        self.shape = shape
        self.storage = .int64(values)
    }

    fileprivate var byteCount: Int { shape.elementCount * dtype.byteCount }

    /// Stores the elements little-endian at `offset`.
    fileprivate func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        switch storage {
        case let .float32(values):
            for (i, value) in values.enumerated() {
                buffer.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: offset + 4 * i, as: UInt32.self)
            }
        case let .float64(values):
            for (i, value) in values.enumerated() {
                buffer.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: offset + 8 * i, as: UInt64.self)
            }
        case let .int64(values):
            for (i, value) in values.enumerated() {
                buffer.storeBytes(of: value.littleEndian, toByteOffset: offset + 8 * i, as: Int64.self)
            }
        }
    }
}

/// Serialisation of named tensors in the safetensors format.
public enum SafeTensors {
    /// The bytes of a safetensors file holding `tensors` and `metadata`.
    ///
    /// The output is deterministic and byte-identical to what the Python
    /// `safetensors` library writes for the same tensors: entries ordered by
    /// dtype (I64, F64, F32, i.e. widest first, which keeps every tensor aligned
    /// to its element size) and then by name, data in that order, compact
    /// JSON, `__metadata__` first (omitted when empty, keys sorted), and the
    /// header padded with spaces to a multiple of 8 bytes.
    /// - Throws: `SafeTensorsError.invalidTensorName` for an empty name or `__metadata__`.
    public static func encode(_ tensors: [String: SafeTensorsEntry], metadata: [String: String] = [:]) throws -> Data {
        if let bad = tensors.keys.sorted().first(where: { $0.isEmpty || $0 == "__metadata__" }) {
            throw SafeTensorsError.invalidTensorName(name: bad)
        }
        let ordered = tensors.sorted { lhs, rhs in
            (order(lhs.value.dtype), lhs.key) < (order(rhs.value.dtype), rhs.key)
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, entry) in ordered {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(quoted(name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + entry.byteCount)]}")
            offset += entry.byteCount
        }
        var header = Array("{\(fields.joined(separator: ","))}".utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var bytes = [UInt8](repeating: 0, count: 8 + header.count + offset)
        bytes.withUnsafeMutableBytes { buffer in
            buffer.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self)
            buffer.baseAddress!.advanced(by: 8).copyMemory(from: header, byteCount: header.count)
            var position = 8 + header.count
            for (_, entry) in ordered {
                entry.store(into: buffer, at: position)
                position += entry.byteCount
            }
        }
        return Data(bytes)
    }

    /// Writes `tensors` and `metadata` to `path` atomically (see `encode`):
    /// a failure leaves any previous file untouched and no partial file behind.
    /// - Throws: `SafeTensorsError.invalidTensorName`, or the file-system error of the write.
    public static func write(
        _ tensors: [String: SafeTensorsEntry], metadata: [String: String] = [:], to path: String
    ) throws {
        try AtomicWrite.write(encode(tensors, metadata: metadata), to: path)
    }

    /// Rank of a dtype in the reference library's order (descending dtype enum).
    private static func order(_ dtype: SafeTensorsDType) -> Int {
        switch dtype {
        case .int64: return 0
        case .float64: return 1
        case .float32: return 2
        }
    }

    /// `text` as a JSON string literal, escaped exactly as serde_json does.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
