// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether two paths name one file: the same path once standardised, or two
/// names (a hard or symbolic link, `./x` and `x`) of the same device and inode.
/// An output that is one of a command's inputs would replace that input.
public func isSameFile(_ first: String, _ second: String) -> Bool {
    let standardized = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
    if standardized(first) == standardized(second) { return true }
    var a = stat()
    var b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}
