// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system operation that failed, as one line that names the path and
/// says why in plain words ("cannot write out/x.png: read-only file system").
public struct FileSystemError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// What was being done, as a verb phrase: "write", "read", "create the directory", "lock".
    public let action: String
    public let path: String
    public let reason: String

    public init(action: String, path: String, reason: String) {
        self.action = action
        self.path = path
        self.reason = reason
    }

    /// The error for `code`, an `errno` value.
    public init(action: String, path: String, errno code: Int32) {
        self.init(action: action, path: path, reason: Self.reason(errno: code))
    }

    /// The error for `code`, an `errno` value from creating an entry in a directory that
    /// exists: there "no such file or directory" means that its file system takes none.
    public init(action: String, path: String, errnoCreatingInExistingDirectory code: Int32) {
        self.init(action: action, path: path, reason: code == ENOENT ? Self.takesNoNewEntries : Self.reason(errno: code))
    }

    public var description: String { "cannot \(action) \(path): \(reason)" }
    public var errorDescription: String? { description }

    /// Why a new file or directory cannot be made in a directory that exists: the kernel
    /// reports "no such file or directory" for it on virtual file systems (/proc, /sys).
    static let takesNoNewEntries = "the file system there takes no new files (as /proc and /sys do not)"

    /// `code` in plain words.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EISDIR: return "it is a directory"
        case ENOTDIR: return "a part of the path is not a directory"
        case ENOENT: return "no such file or directory"
        case EEXIST: return "it already exists"
        case ENAMETOOLONG: return "the name is too long"
        case ELOOP: return "too many symbolic links"
        case EIO: return "input/output error"
        case EFBIG: return "the file is too large"
        case EMFILE, ENFILE: return "too many open files"
        case ENXIO, ENODEV: return "no such device"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    /// The Foundation error `error` (CocoaError or a POSIX NSError) in these
    /// terms, or nil for any other error.
    public init?(foundation error: Error) {
        let error = error as NSError
        let path = error.userInfo[NSFilePathErrorKey] as? String
            ?? (error.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
        if error.domain == NSPOSIXErrorDomain {
            self.init(action: "access", path: path, errno: Int32(error.code))
            return
        }
        guard error.domain == NSCocoaErrorDomain else { return nil }
        // Codes 256…511 are read errors and 512…1023 write errors.
        let action = (256..<512).contains(error.code) ? "read" : (512..<1024).contains(error.code) ? "write" : "access"
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            self.init(action: action, path: path, errno: Int32(underlying.code))
            return
        }
        let reason: String
        switch CocoaError.Code(rawValue: error.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = Self.reason(errno: ENOENT)
        case .fileReadNoPermission, .fileWriteNoPermission: reason = Self.reason(errno: EACCES)
        case .fileWriteVolumeReadOnly: reason = Self.reason(errno: EROFS)
        case .fileWriteOutOfSpace: reason = Self.reason(errno: ENOSPC)
        case .fileWriteFileExists: reason = Self.reason(errno: EEXIST)
        case .fileReadTooLarge: reason = "the file is too large to read"
        case .fileReadCorruptFile: reason = "the file is damaged or not in the expected format"
        case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: reason = "the text is not valid UTF-8"
        case .fileReadUnknown: reason = "it cannot be read (a directory, a device, or unreadable)"
        case .fileWriteUnknown: reason = "it cannot be written (a directory, a device, or unwritable)"
        default: reason = "error \(error.code)"
        }
        self.init(action: action, path: path, reason: reason)
    }
}

/// A destination that exists and is not a regular file: distill never replaces one.
public struct NotARegularFileError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let path: String
    /// "a directory", "a symbolic link", "a FIFO (named pipe)", "a character device", …
    public let kind: String

    public init(path: String, kind: String) {
        self.path = path
        self.kind = kind
    }

    public var description: String {
        "cannot write \(path): it is \(kind), not a regular file; distill replaces only regular files, give another path"
    }
    public var errorDescription: String? { description }
}

extension DecodingError {
    /// What is wrong with the decoded bytes as a short phrase naming the field
    /// ("'__metadata__.dataset' must be a string"), without Foundation's debug
    /// text. `whole` names the document for faults at its top level.
    /// - Parameter json: the bytes that were decoded: a decoder that reports a number that does not
    ///   fit its field the way it reports broken JSON (Linux's does) is told apart by parsing them.
    public func plainReason(whole: String = "it", json: Data? = nil) -> String {
        func place(_ path: [CodingKey]) -> String {
            "'" + path.enumerated().map { index, key in
                key.intValue.map { "[\($0)]" } ?? (index == 0 ? "" : ".") + key.stringValue
            }.joined() + "'"
        }
        switch self {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                if let json, (try? JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed)) != nil {
                    return "\(whole) is valid JSON, but a number in it does not fit its field (a fraction where a whole "
                        + "number belongs, a negative or too large count, or a value beyond the type's range)"
                }
                if let json, let number = Self.firstNumberBeyondDouble(in: json) {
                    return "\(whole) holds the number \(number), beyond a double's range (about ±1.8e308)"
                }
                return "\(whole) is not valid JSON (empty, truncated or damaged)"
            }
            // Without an underlying error the description is one of distill's own plain reasons.
            return context.underlyingError == nil
                ? "\(place(context.codingPath)): \(context.debugDescription)"
                : "\(place(context.codingPath)) holds an invalid value"
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            let subject = context.codingPath.isEmpty ? whole : place(context.codingPath)
            return "\(subject) must be \(Self.kindName(type))"
        case .valueNotFound(_, let context):
            return context.codingPath.isEmpty ? "\(whole) is null" : "\(place(context.codingPath)) must not be null"
        @unknown default:
            return "\(whole) is not in the expected format"
        }
    }

    /// The first number literal in `json` too large for a double (such as
    /// 1e400): JSON's grammar allows it, but the parser refuses the whole
    /// document as if it were broken.
    private static func firstNumberBeyondDouble(in json: Data) -> String? {
        let numberCharacters = Set("0123456789+-.eE")
        var token = ""
        var previous: Character = " "
        for character in String(decoding: json, as: UTF8.self) + " " {
            if numberCharacters.contains(character), !token.isEmpty || !(previous.isLetter || previous.isNumber || previous == "_") {
                token.append(character)
            } else {
                if let value = Double(token), value.isInfinite { return token }
                token = ""
            }
            previous = character
        }
        return nil
    }

    /// The JSON kind a Swift type is decoded from, with its article.
    private static func kindName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if type == String.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "a JSON object" }
        if type is any Numeric.Type { return "a number" }
        return "of another JSON type"
    }
}
