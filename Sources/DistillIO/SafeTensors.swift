// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// Element types distill reads and writes in safetensors files.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float64 = "F64"
    case int64 = "I64"

    /// Bytes per element.
    public var byteCount: Int { self == .float32 ? 4 : 8 }
}

/// Where one tensor lives in a safetensors file.
public struct SafeTensorsInfo: Sendable, Equatable {
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range relative to the start of the data section (`data_offsets`).
    public let byteRange: Range<Int>

    public init(dtype: SafeTensorsDType, shape: [Int], byteRange: Range<Int>) {
        (self.dtype, self.shape, self.byteRange) = (dtype, shape, byteRange)
    }
}

/// A parsed safetensors file: named tensors plus a string → string metadata map.
///
/// Layout (all integers little-endian):
///
///     [u64 header length n][n bytes of JSON header][data section]
///     header = {"__metadata__": {String: String}?,
///               name: {"dtype": "F32"|"F64"|"I64", "shape": [Int], "data_offsets": [begin, end]}, …}
///
/// The whole header is validated when the file is opened (dtypes, sizes,
/// bounds, overlaps), so accessors fail only on a wrong name or dtype.
public struct SafeTensorsFile: Sendable {
    /// Largest header accepted; the reference implementation uses the same cap
    /// so that a corrupt length cannot trigger a huge allocation.
    public static let maximumHeaderLength = 100_000_000

    /// The path the file was read from; nil for in-memory data.
    public let path: String?
    /// The `__metadata__` map, empty when the header has none.
    public let metadata: [String: String]
    /// Tensor names in ascending order.
    public let names: [String]

    private let entries: [String: SafeTensorsInfo]
    /// The whole file, header included (internal so `fingerprint` can read it).
    let bytes: Data
    private let dataStart: Int

    /// Reads and validates the file at `path`.
    ///
    /// The header is read and checked against the file's size first, so a file
    /// longer than its header accounts for (padded or damaged, such as one
    /// extended to 40 GB) is refused before its data is read.
    /// - Throws: `SafeTensorsError` when the file cannot be read or is not valid safetensors.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            let size = try RegularFile.size(atPath: path)
            let length = try RegularFile.prefix(atPath: path, count: 8)
            let headerLength = Self.headerLength(length).map { min($0, UInt64(Self.maximumHeaderLength)) } ?? 0
            _ = try Self.layout(try RegularFile.prefix(atPath: path, count: 8 + Int(headerLength)), fileSize: size, path: path)
            data = try RegularFile.contents(atPath: path, mapped: true)
        } catch let error as FileSystemError {
            throw SafeTensorsError.unreadable(file: path, reason: error.reason)
        }
        try self.init(data: data, path: path)
    }

    /// Parses and validates safetensors bytes held in memory.
    /// - Throws: `SafeTensorsError` when the bytes are not valid safetensors.
    public init(data: Data) throws {
        try self.init(data: data, path: nil)
    }

    private init(data: Data, path: String?) throws {
        let data = data.startIndex == 0 ? data : Data(data)
        let (metadata, entries, dataStart) = try Self.layout(data, fileSize: data.count, path: path)
        self.path = path
        self.metadata = metadata
        self.names = entries.keys.sorted()
        self.entries = entries
        self.bytes = data
        self.dataStart = dataStart
    }

    /// The header length stored in the first 8 bytes; nil when there are fewer.
    private static func headerLength(_ bytes: Data) -> UInt64? {
        bytes.count < 8 ? nil : bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    /// The validated header of a file of `fileSize` bytes from its first bytes (`prefix`,
    /// from index 0, holding at least the length and the header; the whole file will do).
    ///
    /// The data section must end where its last tensor ends, as the format's
    /// reference implementation requires: bytes no tensor accounts for are
    /// padding or damage.
    private static func layout(
        _ prefix: Data, fileSize: Int, path: String?
    ) throws -> (metadata: [String: String], entries: [String: SafeTensorsInfo], dataStart: Int) {
        guard let headerLength = headerLength(prefix) else {
            throw SafeTensorsError.fileTooShort(file: path, byteCount: fileSize)
        }
        guard headerLength <= UInt64(min(fileSize - 8, Self.maximumHeaderLength)) else {
            throw SafeTensorsError.headerLengthOutOfRange(file: path, headerLength: headerLength, available: fileSize - 8)
        }
        let dataStart = 8 + Int(headerLength)
        let header = try Self.decodeHeader(prefix[8..<dataStart], path: path)
        let entries = try Self.validate(header.entries, dataSize: fileSize - dataStart, path: path)
        let dataEnd = entries.values.map(\.byteRange.upperBound).max() ?? 0
        guard fileSize - dataStart == dataEnd else {
            throw SafeTensorsError.unaccountedData(file: path, dataSize: fileSize - dataStart, tensorsEnd: dataEnd)
        }
        return (header.metadata, entries, dataStart)
    }

    // MARK: - Access

    /// Whether a tensor of that name exists.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The dtype, shape and byte range of a tensor.
    /// - Throws: `SafeTensorsError.missingTensor`.
    public func info(_ name: String) throws -> SafeTensorsInfo {
        guard let info = entries[name] else {
            throw SafeTensorsError.missingTensor(file: path, name: name, available: names)
        }
        return info
    }

    /// An F32 tensor, or an F64 tensor rounded to Float32.
    /// - Throws: `SafeTensorsError.missingTensor`, `.wrongDType` for I64.
    public func floats(_ name: String) throws -> NDArray {
        let info = try info(name)
        switch info.dtype {
        case .float32:
            let bits = load(UInt32.self, info)
            return NDArray(shape: info.shape, scalars: bits.map(Float.init(bitPattern:)))
        case .float64:
            let bits = load(UInt64.self, info)
            return NDArray(shape: info.shape, scalars: bits.map { Float(Double(bitPattern: $0)) })
        case .int64:
            throw SafeTensorsError.wrongDType(file: path, tensor: name, stored: "I64", requested: "F32")
        }
    }

    /// An F64 tensor, or an F32 tensor widened exactly to Double.
    /// - Throws: `SafeTensorsError.missingTensor`, `.wrongDType` for I64.
    public func doubles(_ name: String) throws -> (shape: [Int], values: [Double]) {
        let info = try info(name)
        switch info.dtype {
        case .float32:
            return (info.shape, load(UInt32.self, info).map { Double(Float(bitPattern: $0)) })
        case .float64:
            return (info.shape, load(UInt64.self, info).map(Double.init(bitPattern:)))
        case .int64:
            throw SafeTensorsError.wrongDType(file: path, tensor: name, stored: "I64", requested: "F64")
        }
    }

    /// An I64 tensor.
    /// - Throws: `SafeTensorsError.missingTensor`, `.wrongDType` for F32 and F64.
    public func integers(_ name: String) throws -> (shape: [Int], values: [Int64]) {
        let info = try info(name)
        guard info.dtype == .int64 else {
            throw SafeTensorsError.wrongDType(file: path, tensor: name, stored: info.dtype.rawValue, requested: "I64")
        }
        return (info.shape, load(UInt64.self, info).map { Int64(bitPattern: $0) })
    }

    /// The little-endian elements of `info`'s range, in host byte order.
    private func load<T: FixedWidthInteger>(_ type: T.Type, _ info: SafeTensorsInfo) -> [T] {
        let count = info.byteRange.count / MemoryLayout<T>.size
        let start = dataStart + info.byteRange.lowerBound
        return bytes.withUnsafeBytes { raw in
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    let offset = start + i * MemoryLayout<T>.size
                    buffer[i] = T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
                }
                initialized = count
            }
        }
    }
}

// MARK: - Header parsing

extension SafeTensorsFile {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Fields are optional so that a missing one gets a message naming it.
    private struct RawEntry: Decodable {
        var dtype: String?
        var shape: [Int]?
        var data_offsets: [Int]?

        private enum CodingKeys: String, CodingKey {
            case dtype, shape, data_offsets
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dtype = try container.decodeIfPresent(String.self, forKey: .dtype)
            shape = try container.decodeIfPresent([WholeNumber].self, forKey: .shape)?.map(\.value)
            data_offsets = try container.decodeIfPresent([WholeNumber].self, forKey: .data_offsets)?.map(\.value)
        }
    }

    /// A JSON integer; a number with a fraction (28.5) is refused as not an
    /// integer rather than with the decoder's generic complaint.
    private struct WholeNumber: Decodable {
        var value: Int

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int.self) {
                value = integer
            } else if let number = try? container.decode(Double.self) {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "\(number) is not an integer"))
            } else {
                value = try container.decode(Int.self)
            }
        }
    }

    private struct RawHeader: Decodable {
        var metadata: [String: String] = [:]
        var entries: [String: RawEntry] = [:]

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    entries[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
                }
            }
        }
    }

    private static func decodeHeader(_ json: Data, path: String?) throws -> RawHeader {
        do {
            return try JSONDecoder().decode(RawHeader.self, from: json)
        } catch let error as DecodingError {
            let reason = error.plainReason(whole: "the header", json: json)
            let codingPath: [CodingKey]
            switch error {
            case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c):
                codingPath = c.codingPath
            @unknown default:
                codingPath = []
            }
            // A fault inside a tensor's entry names the tensor; any other is the header's.
            if let tensor = codingPath.first?.stringValue, tensor != "__metadata__" {
                throw SafeTensorsError.malformedEntry(file: path, tensor: tensor, reason: reason)
            }
            throw SafeTensorsError.headerNotJSON(file: path, reason: reason)
        }
    }

    private static func validate(
        _ raw: [String: RawEntry], dataSize: Int, path: String?
    ) throws -> [String: SafeTensorsInfo] {
        var entries: [String: SafeTensorsInfo] = [:]
        // Sorted so that a header with several faults always reports the same one.
        for (name, entry) in raw.sorted(by: { $0.key < $1.key }) {
            func malformed(_ reason: String) -> SafeTensorsError {
                .malformedEntry(file: path, tensor: name, reason: reason)
            }
            guard let dtypeName = entry.dtype else { throw malformed("missing dtype") }
            guard let shape = entry.shape else { throw malformed("missing shape") }
            guard let offsets = entry.data_offsets else { throw malformed("missing data_offsets") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw SafeTensorsError.unsupportedDType(file: path, tensor: name, dtype: dtypeName)
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw malformed("negative extent in shape \(shape)") }
            guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw malformed("data_offsets \(offsets) is not [begin, end] with 0 ≤ begin ≤ end")
            }
            let expected = shape.reduce((value: dtype.byteCount, overflow: false)) { running, extent in
                let product = running.value.multipliedReportingOverflow(by: extent)
                return (product.partialValue, running.overflow || product.overflow)
            }
            guard !expected.overflow, expected.value == offsets[1] - offsets[0] else {
                throw SafeTensorsError.sizeMismatch(
                    file: path, tensor: name, shape: shape, dtype: dtypeName,
                    expectedBytes: expected.overflow ? Int.max : expected.value, actualBytes: offsets[1] - offsets[0])
            }
            guard offsets[1] <= dataSize else {
                throw SafeTensorsError.truncatedData(file: path, tensor: name, end: offsets[1], dataSize: dataSize)
            }
            entries[name] = SafeTensorsInfo(dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
        }
        let ordered = entries.filter { !$0.value.byteRange.isEmpty }
            .sorted { ($0.value.byteRange.lowerBound, $0.key) < ($1.value.byteRange.lowerBound, $1.key) }
        for (previous, next) in zip(ordered, ordered.dropFirst())
        where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw SafeTensorsError.overlappingData(file: path, first: previous.key, second: next.key)
        }
        return entries
    }
}
