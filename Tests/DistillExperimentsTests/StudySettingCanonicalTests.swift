// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillExperiments
import XCTest

/// Two spellings of one setting, one naming a default, are one setting: a study refuses them as listed twice.
final class StudySettingCanonicalTests: XCTestCase {
    func testDefaultsNamedOrLeftOutGiveOneCanonicalForm() throws {
        let canonical = { (text: String) in try StudySetting(parsing: text).canonical }
        XCTAssertEqual(try canonical("dc"), "dc+iterations=1000+protocol=dc")
        XCTAssertEqual(try canonical("dc+iterations=1000+protocol=dc"), try canonical("dc"))
        XCTAssertEqual(try canonical("dm+protocol=dsa"), "dm+iterations=20000+protocol=dsa")
        XCTAssertNotEqual(try canonical("dc+protocol=dsa"), try canonical("dc"))
        XCTAssertNotEqual(try canonical("dc+kd"), try canonical("dc"))
        // The adaptation's parameters and the pool's spelling.
        XCTAssertEqual(
            try canonical("dc+pool=paper+adapt=loss"), "dc+pool=paper+adapt=loss:beta=4,rate=0.2,floor=0.2+iterations=1000+protocol=dc")
        XCTAssertEqual(try canonical("dc+pool=Paper+adapt=loss:rate=0.2"), try canonical("dc+pool=paper+adapt=loss"))
        XCTAssertEqual(try canonical("dc+pool=ConvNet:0.50, MLP:0.5"), try canonical("dc+pool=ConvNet:0.5,MLP:0.5"))
        XCTAssertNotEqual(try canonical("dc+pool=paper+adapt=loss:beta=8"), try canonical("dc+pool=paper+adapt=loss"))
    }

    func testAStudyRefusesTwoSpellingsOfOneSettingNamingBoth() throws {
        let study = GeneralizationStudy(settings: try ["dc", "dc+pool=paper", "dc+iterations=1000"].map(StudySetting.init(parsing:)))
        XCTAssertThrowsError(try study.validate()) { error in
            XCTAssertEqual(
                "\(error)",
                "--settings 'dc' and 'dc+iterations=1000' is not valid: both are dc+iterations=1000+protocol=dc once defaults are filled in; "
                    + "list each setting once")
        }
    }
}
