// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMethods
import Foundation
import XCTest

/// Arrays inside `checkpoint.json` are checked before they become tensors.
final class StoredArrayTests: XCTestCase {
    /// Found by Fuzz/Targets/checkpoint (now in its corpus): extents whose product overflows `Int` trapped.
    func testShapeWhoseElementCountOverflowsIsADecodingError() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/Corpus/checkpoint/overflowing-shape.json")
        let json = try Data(contentsOf: url)
        XCTAssertThrowsError(try JSONDecoder().decode(CondensationState.self, from: json)) { error in
            guard case let DecodingError.dataCorrupted(context) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(context.debugDescription.contains("do not fill shape [2666666666666666666, 1, 2, 2]"), "\(context)")
        }
    }
}
