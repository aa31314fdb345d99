// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// Results that were shown but could not be saved: the command still fails.
struct UnsavedResultsError: Error, CustomStringConvertible {
    let directory: String
    let cause: Error

    var description: String {
        "the results above could not be written to \(directory): \(ErrorMessages.line(for: cause))"
    }
}

extension UnsavedResultsError {
    /// How an experiment reports `error`, raised after some of its results were shown: as
    /// results that could not be written when it is a write's failure, else as itself (a damaged
    /// kept set, say, is not a failed write).
    static func ifWriting(_ error: Error, to directory: String) -> Error {
        let writing: Bool
        switch ErrorMessages.plain(error) {
        case let failure as FileSystemError: writing = failure.action != "read"
        case is NotARegularFileError: writing = true
        default: writing = false
        }
        return writing ? UnsavedResultsError(directory: directory, cause: error) : error
    }
}

/// A message already in plain words.
struct PlainMessage: Error, CustomStringConvertible {
    let description: String
}

/// Turns errors into the one line the user sees, so that no Foundation or
/// Codable debug text reaches the terminal.
enum ErrorMessages {
    /// `error` itself when it describes itself in plain words (distill's and
    /// the argument parser's errors), otherwise a plain replacement.
    static func plain(_ error: Error) -> Error {
        if let decoding = error as? DecodingError {
            return PlainMessage(description: "a file distill read is not in the expected format: \(decoding.plainReason())")
        }
        if let encoding = error as? EncodingError, case .invalidValue(let value, _) = encoding {
            return PlainMessage(description: "a value could not be saved (\(value) is not a finite number); the file that was to hold it is unchanged")
        }
        if let fileSystem = FileSystemError(foundation: error) { return fileSystem }
        return error
    }

    /// `error` as one line of text.
    static func line(for error: Error) -> String {
        let text = String(describing: plain(error))
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
