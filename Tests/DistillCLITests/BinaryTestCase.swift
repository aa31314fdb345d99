// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import XCTest
import _DistillTestSupport

/// A test case that runs the built `distill` binary on a tiny generated Fashion-MNIST,
/// fresh for every test.
class BinaryTestCase: XCTestCase {
    var data: TinyFashionMNIST!
    var binary: DistillBinary!

    override func setUpWithError() throws {
        data = try TinyFashionMNIST()
        binary = try DistillBinary(data: data)
    }

    override func tearDownWithError() throws { data.remove() }
}
