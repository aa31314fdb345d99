// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// What can be wrong with a `.npz` file.
public enum NPZError: Error, CustomStringConvertible, LocalizedError, Equatable {
    case unreadable(file: String, reason: String)
    case notZip(file: String)
    case malformedArchive(file: String, reason: String)
    case malformedArray(file: String, array: String, reason: String)
    case missingArray(file: String, name: String, available: [String])
    case tooLarge(file: String)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .notZip(file): return "\(file) is not a .npz file (no zip directory); write it with numpy.savez"
        case let .malformedArchive(file, reason): return "\(file) is a damaged .npz: \(reason)"
        case let .malformedArray(file, array, reason): return "array '\(array)' in \(file): \(reason)"
        case let .missingArray(file, name, available):
            return "\(file) has no array '\(name)' (it has \(available.sorted().joined(separator: ", ")))"
        case let .tooLarge(file): return "\(file) would pass the 4 GiB a .npz without zip64 holds; export fewer images"
        case let .unwritable(file, reason): return "cannot make the .npz \(file): libarchive's zip writer failed (\(reason))"
        }
    }

    public var errorDescription: String? { description }
}

/// NumPy's `.npz`: named `.npy` arrays in a zip (see `ZipArchive`, `NPYArray`).
public enum NPZ {
    /// The archive bytes; each array becomes the member `NAME.npy`.
    public static func encode(_ arrays: [(name: String, array: NPYArray)], file: String) throws -> Data {
        try ZipArchive.stored(arrays.map { ($0.name + ".npy", $0.array.encoded()) }, file: file)
    }

    /// The arrays of the `.npz` at `path`, by name (without `.npy`).
    public static func read(contentsOf path: String) throws -> [String: NPYArray] {
        let data: Data
        do {
            data = try RegularFile.contents(atPath: path)
        } catch let error as FileSystemError {
            throw NPZError.unreadable(file: path, reason: error.reason)
        }
        return try read(data, file: path)
    }

    /// The arrays of the `.npz` bytes `data`, by name; `file` names them in errors.
    public static func read(_ data: Data, file path: String) throws -> [String: NPYArray] {
        var arrays = [String: NPYArray]()
        for (member, bytes) in try ZipArchive.members(of: data, file: path) where member.hasSuffix(".npy") {
            let name = String(member.dropLast(4))
            arrays[name] = try NPYArray(npy: bytes, name: name, file: path)
        }
        return arrays
    }
}
