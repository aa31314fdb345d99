// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// One NumPy array as `.npy` stores it (format version 1.0, little-endian, C order):
/// the kinds distill writes and reads.
public enum NPYArray: Sendable, Equatable {
    case float32(shape: [Int], values: [Float])
    case int64(shape: [Int], values: [Int64])
    /// NumPy's `bool` (`|b1`), kept apart from integers so that bool labels are not taken for class numbers.
    case bool(shape: [Int], values: [Bool])
    /// Fixed-width Unicode strings (`<U…`), as NumPy stores a list of str.
    case strings(shape: [Int], values: [String])

    public var shape: [Int] {
        switch self {
        case .float32(let shape, _), .int64(let shape, _), .bool(let shape, _), .strings(let shape, _): return shape
        }
    }

    /// The element type in NumPy's words, for messages ("found bool").
    public var typeName: String {
        switch self {
        case .float32: return "float"  // float32 or float64, which both read as float32
        case .int64: return "int64"
        case .bool: return "bool"
        case .strings: return "str"
        }
    }

    /// The `.npy` bytes.
    public func encoded() -> Data {
        var body = Data()
        let descr: String
        switch self {
        case .float32(_, let values):
            descr = "<f4"
            values.withUnsafeBytes { body.append(contentsOf: $0) }  // little-endian on every platform distill builds for
        case .int64(_, let values):
            descr = "<i8"
            values.withUnsafeBytes { body.append(contentsOf: $0) }
        case .bool(_, let values):
            descr = "|b1"
            body.append(contentsOf: values.map { $0 ? 1 : 0 })
        case .strings(_, let values):
            let width = max(1, values.map { $0.unicodeScalars.count }.max() ?? 1)
            descr = "<U\(width)"
            for value in values {
                let scalars = value.unicodeScalars.map(\.value) + Array(repeating: 0, count: width - value.unicodeScalars.count)
                scalars.withUnsafeBytes { body.append(contentsOf: $0) }
            }
        }
        let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dimensions)), }"
        // Magic, version and length take 10 bytes; the header ends in a newline at a multiple of 64.
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        data.append(body)
        return data
    }

    /// Reads `.npy` bytes: float32/float64 (as float32), any integer kind (as int64), bool, and Unicode strings.
    /// A shape whose size in bytes overflows `Int` is refused, not multiplied out.
    /// - Throws: `NPZError.malformedArray` naming `name` and what is wrong.
    public init(npy data: Data, name: String, file: String) throws {
        let bytes = [UInt8](data)
        func fail(_ reason: String) -> NPZError { .malformedArray(file: file, array: name, reason: reason) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy array (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let (lengthBytes, start) = major == 1 ? (2, 8) : (4, 8)
        guard [1, 2, 3].contains(major), bytes.count >= start + lengthBytes else { throw fail("unknown .npy version \(major)") }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[start + $1]) << (8 * $1) }
        let bodyStart = start + lengthBytes + headerLength
        guard bodyStart <= bytes.count, let header = String(bytes: bytes[(start + lengthBytes)..<bodyStart], encoding: .utf8)
        else { throw fail("the header runs past the end of the array") }
        guard let descr = Self.field("descr", in: header), let shapeText = Self.field("shape", in: header) else {
            throw fail("the header lacks 'descr' or 'shape': \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if Self.field("fortran_order", in: header) == "True" { throw fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray") }
        let parts = shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let shape = Optional(parts.compactMap { Int($0) }), shape.count == parts.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("shape (\(shapeText)) is not a tuple of sizes")
        }
        let body = Array(bytes[bodyStart...])
        if descr.hasPrefix("[") || descr.dropFirst().first == "V" {
            throw fail("it has a structured dtype \(descr), which distill does not read; save each field as a plain array")
        }
        // Object arrays are pickles, which can run code when loaded; they are named, never read.
        if descr.dropFirst().first == "O" {
            throw fail("it is an object array (pickled Python objects), which distill never loads; "
                + "save numbers as a numeric array and strings as a fixed-width unicode array (np.array(names, dtype=str))")
        }
        if descr.first == ">" { throw fail("dtype '\(descr)' is big-endian; save little-endian arrays") }
        guard descr.first == "<" || descr.first == "|" || descr.first == "=", descr.count >= 3,
            let width = Int(descr.dropFirst(2)), width > 0
        else { throw fail("dtype '\(descr)' is not supported; use float32 images, int64 labels and str names") }
        let kind = descr[descr.index(descr.startIndex, offsetBy: 1)]
        // A header may declare any shape; its byte count is multiplied out with overflow checks, as the safetensors reader does.
        let itemBytes = width.multipliedReportingOverflow(by: kind == "U" ? 4 : 1)
        let sizes = shape.reduce((count: 1, bytes: itemBytes.partialValue, overflow: itemBytes.overflow)) { running, extent in
            let count = running.count.multipliedReportingOverflow(by: extent)
            let bytes = running.bytes.multipliedReportingOverflow(by: extent)
            return (count.partialValue, bytes.partialValue, running.overflow || count.overflow || bytes.overflow)
        }
        guard !sizes.overflow else { throw fail("shape \(shape) holds more elements than any file can") }
        let count = sizes.count
        guard body.count >= sizes.bytes else {
            throw fail("holds \(body.count) data bytes, shape \(shape) of '\(descr)' needs \(sizes.bytes)")
        }
        func load<T>(_ type: T.Type, items: Int = count) -> [T] {
            body.withUnsafeBytes { raw in (0..<items).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        switch (kind, width) {
        case ("f", 4): self = .float32(shape: shape, values: load(Float.self))
        case ("f", 8):
            let doubles = load(Double.self)
            // A finite float64 past float32's range would turn into infinity and be reported as a value the file lacks.
            if let index = doubles.firstIndex(where: { $0.isFinite && Float($0).isInfinite }) {
                throw fail("\(doubles[index]) at index \(index) does not fit a 32-bit float; save values within ±3.4e38 as float32")
            }
            self = .float32(shape: shape, values: doubles.map(Float.init))
        case ("i", 8): self = .int64(shape: shape, values: load(Int64.self))
        case ("i", 4): self = .int64(shape: shape, values: load(Int32.self).map(Int64.init))
        case ("i", 2): self = .int64(shape: shape, values: load(Int16.self).map(Int64.init))
        case ("i", 1): self = .int64(shape: shape, values: load(Int8.self).map(Int64.init))
        case ("u", 1): self = .int64(shape: shape, values: load(UInt8.self).map(Int64.init))
        case ("b", 1): self = .bool(shape: shape, values: load(UInt8.self).map { $0 != 0 })
        case ("u", 2): self = .int64(shape: shape, values: load(UInt16.self).map(Int64.init))
        case ("u", 4): self = .int64(shape: shape, values: load(UInt32.self).map(Int64.init))
        case ("U", _):
            let scalars = load(UInt32.self, items: count * width)
            let values = (0..<count).map { index in
                String(String.UnicodeScalarView(scalars[(index * width)..<((index + 1) * width)].prefix { $0 != 0 }.compactMap(Unicode.Scalar.init)))
            }
            self = .strings(shape: shape, values: values)
        default:
            throw fail("dtype '\(descr)' is not supported; use float32 images, int64 labels and str names")
        }
    }

    /// The text of `key`'s value in a header such as `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        let rest = header[keyRange.upperBound...].drop { $0 == " " }
        switch rest.first {
        case "'": return String(rest.dropFirst().prefix { $0 != "'" })
        case "(": return String(rest.dropFirst().prefix { $0 != ")" })
        case "[":
            // A structured dtype's descr, a list of tuples, read whole up to its closing bracket.
            var depth = 0
            let list = rest.prefix { character in
                defer { if character == "[" { depth += 1 } else if character == "]" { depth -= 1 } }
                return depth > 0 || character == "["
            }
            return String(list)
        default: return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
        }
    }
}
