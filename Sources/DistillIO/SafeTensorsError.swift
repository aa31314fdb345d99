// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// What can be wrong with a safetensors file, or with a request made of one.
///
/// `file` is the path the bytes came from, or nil for in-memory data; every
/// description names it so a message in a log says which file to fix.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all (missing, a directory, no permission).
    case unreadable(file: String, reason: String)
    /// Fewer than the 8 bytes of the header length.
    case fileTooShort(file: String?, byteCount: Int)
    /// The header length is larger than the rest of the file or than any sane header.
    case headerLengthOutOfRange(file: String?, headerLength: UInt64, available: Int)
    /// The header is not a JSON object of tensor entries (and a `__metadata__`
    /// object of strings); `reason` is a plain phrase naming the field.
    case headerNotJSON(file: String?, reason: String)
    /// A tensor entry lacks a field or has a field of the wrong form.
    case malformedEntry(file: String?, tensor: String, reason: String)
    /// A dtype other than F32, F64 and I64.
    case unsupportedDType(file: String?, tensor: String, dtype: String)
    /// The byte range of an entry does not hold shape × dtype size bytes.
    case sizeMismatch(file: String?, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    /// An entry's byte range ends past the end of the file.
    case truncatedData(file: String?, tensor: String, end: Int, dataSize: Int)
    /// The data section runs past the end of its last tensor.
    case unaccountedData(file: String?, dataSize: Int, tensorsEnd: Int)
    /// Two entries share bytes.
    case overlappingData(file: String?, first: String, second: String)
    /// No tensor of that name; `available` lists a few that exist.
    case missingTensor(file: String?, name: String, available: [String])
    /// The tensor exists but holds another dtype than the accessor reads.
    case wrongDType(file: String?, tensor: String, stored: String, requested: String)
    /// A tensor name the format cannot store (empty, or the reserved `__metadata__`).
    case invalidTensorName(name: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read safetensors file '\(file)': \(reason)"
        case let .fileTooShort(file, byteCount):
            return "\(Self.source(file)) has \(byteCount) bytes, fewer than the 8-byte header length; "
                + "the file is truncated or not safetensors"
        case let .headerLengthOutOfRange(file, headerLength, available):
            return "\(Self.source(file)) declares a \(headerLength)-byte header but only \(available) bytes follow "
                + "(limit \(SafeTensorsFile.maximumHeaderLength)); the file is truncated or not safetensors"
        case let .headerNotJSON(file, reason):
            return "\(Self.source(file)): \(reason)"
        case let .malformedEntry(file, tensor, reason):
            return "\(Self.source(file)), tensor '\(tensor)': \(reason); "
                + "each entry needs dtype, shape and data_offsets [begin, end]"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(Self.source(file)), tensor '\(tensor)' has dtype \(dtype); "
                + "distill reads only F32, F64 and I64, so convert it when saving"
        case let .sizeMismatch(file, tensor, shape, dtype, expectedBytes, actualBytes):
            return "\(Self.source(file)), tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expectedBytes) bytes "
                + "but data_offsets span \(actualBytes); the header is corrupt"
        case let .truncatedData(file, tensor, end, dataSize):
            return "\(Self.source(file)), tensor '\(tensor)' ends at data byte \(end) but the data section has "
                + "\(dataSize) bytes; the file is truncated"
        case let .unaccountedData(file, dataSize, tensorsEnd):
            return "\(Self.source(file)) has a \(dataSize)-byte data section but its tensors end at byte \(tensorsEnd); "
                + "the file is padded or damaged"
        case let .overlappingData(file, first, second):
            return "\(Self.source(file)): tensors '\(first)' and '\(second)' overlap in the data section; "
                + "the header is corrupt"
        case let .missingTensor(file, name, available):
            let shown = available.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            let more = available.count > 5 ? ", … (\(available.count) in all)" : ""
            let list = available.isEmpty ? "it holds no tensors" : "it holds \(shown)\(more)"
            return "\(Self.source(file)) has no tensor '\(name)'; \(list)"
        case let .wrongDType(file, tensor, stored, requested):
            let wanted = requested == "I64" ? "integers (I64)" : "floating-point numbers (F32 or F64)"
            return "\(Self.source(file)), tensor '\(tensor)' must hold \(wanted), found \(stored)"
        case let .invalidTensorName(name):
            return "cannot write a safetensors tensor named '\(name)'; names must be non-empty and not '__metadata__'"
        }
    }

    private static func source(_ file: String?) -> String {
        file.map { "safetensors file '\($0)'" } ?? "safetensors data"
    }
}
