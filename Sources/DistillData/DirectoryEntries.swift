// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// One entry of a directory, its name as the bytes the file system holds: Foundation's
/// listing decodes names as UTF-8 and drops or mangles those that are not, so an image
/// folder is listed here, where every name is seen and a bad one can be refused by name.
struct DirectoryEntry {
    var nameBytes: [UInt8]
    var isDirectory: Bool

    /// The name, or nil when its bytes are not valid UTF-8.
    var name: String? { String(validating: nameBytes, as: UTF8.self) }

    /// The name with undecodable bytes as `\xFF` and control characters as `\n`, `\t`, `\u{1B}`, for messages.
    var escapedName: String {
        var text = ""
        var iterator = nameBytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                switch scalar {
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.properties.generalCategory == .control:
                    text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                default: text.unicodeScalars.append(scalar)
                }
                offset += encoded.count
            case .error(let length):
                for byte in nameBytes[offset..<offset + length] { text += "\\x" + String(format: "%02X", byte) }
                offset += length
            case .emptyInput:
                return text
            }
        }
    }

    /// The visible entries of `directory` (hidden ones, starting with '.', left out), in no set order;
    /// `isDirectory` follows symbolic links.
    /// - Throws: `DatasetError.unreadable` when the directory cannot be listed.
    static func visible(in directory: String) throws -> [DirectoryEntry] {
        guard let stream = opendir(directory) else {
            throw DatasetError.unreadable(path: directory, reason: FileSystemError(action: "read", path: directory, errno: errno).reason)
        }
        defer { closedir(stream) }
        var entries: [DirectoryEntry] = []
        while true {
            // readdir signals an error only through errno.
            errno = 0
            guard let entry = readdir(stream) else {
                guard errno == 0 else {
                    throw DatasetError.unreadable(path: directory, reason: FileSystemError(action: "read", path: directory, errno: errno).reason)
                }
                return entries
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard name.first != UInt8(ascii: ".") else { continue }
            let path = Array(directory.utf8) + [UInt8(ascii: "/")] + name + [0]
            var status = stat()
            let found = path.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &status) == 0 }
            }
            entries.append(DirectoryEntry(nameBytes: name, isDirectory: found && status.st_mode & S_IFMT == S_IFDIR))
        }
    }
}
