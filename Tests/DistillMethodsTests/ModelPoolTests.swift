// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMethods
import DistillTensor
import Foundation
import XCTest

/// Model pools: presets, parsing, every validation error, sampling frequencies and the warm-up.
final class ModelPoolTests: XCTestCase {
    func testParsesListsWithSpecsThatContainCommas() throws {
        let pool = try ModelPool(parsing: "ConvNet:0.9, ConvNetBN:0.05,ConvNet(act=swish,norm=groupnorm):0.05")
        XCTAssertEqual(pool.architectures, ["ConvNet", "ConvNetBN", "ConvNet(act=swish,norm=groupnorm)"])
        XCTAssertEqual(pool.members.map(\.probability), [0.9, 0.05, 0.05])
        XCTAssertEqual(pool.mainModel, "ConvNet")
        XCTAssertNil(pool.preset)
        XCTAssertEqual(try ModelPool(parsing: pool.description), pool)
    }

    func testPresets() throws {
        let none = try ModelPool(parsing: "none", mainModel: "ConvNetBN")
        XCTAssertEqual(none.members, [.init(architecture: "ConvNetBN", probability: 1)])

        let paper = try ModelPool(preset: .paper)
        XCTAssertEqual(paper.members.count, 33)
        XCTAssertEqual(paper.members[0], .init(architecture: "ConvNet", probability: 0.9))
        let variants = paper.members.dropFirst()
        XCTAssertEqual(Set(variants.map(\.architecture)).count, 32)
        for variant in variants {
            XCTAssertEqual(variant.probability, 0.1 / 32, accuracy: 1e-15)
            XCTAssertTrue(variant.architecture.hasPrefix("ConvNet(width=128,depth=3,"), variant.architecture)
        }
        for value in [
            "act=sigmoid", "act=swish", "norm=batchnorm", "norm=layernorm", "norm=groupnorm", "pool=maxpooling",
        ] {
            XCTAssertEqual(
                variants.filter { $0.architecture.contains(value) }.count, value.hasPrefix("pool") ? 16 : 8, value)
        }

        let main = try ModelPool(parsing: "main-model")
        XCTAssertEqual(main.architectures, ["ConvNet", "LeNet", "AlexNet", "VGG11"])
        XCTAssertEqual(main.members[1].probability, 0.1 / 3, accuracy: 1e-15)
        let random = try ModelPool(parsing: "total-random", warmup: 500)
        XCTAssertEqual(random.members.map(\.probability), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(random.warmup, 500)
        XCTAssertEqual(random.preset, .totalRandom)
        XCTAssertTrue(random.summary.contains("warm-up"))
    }

    func testEachInvalidPoolGetsItsOwnError() {
        assertPoolError("ConvNot:1") {
            guard case .unknownArchitecture(let name, let suggestions) = $0 else { return false }
            return name == "ConvNot" && suggestions.contains("ConvNet")
        }
        assertPoolError("ConvNet:1.5") { $0 == .probabilityOutOfRange(architecture: "ConvNet", probability: "1.5") }
        assertPoolError("ConvNet:0,ConvNetBN:1") {
            $0 == .probabilityOutOfRange(architecture: "ConvNet", probability: "0")
        }
        assertPoolError("ConvNet:-0.1,ConvNetBN:1.1") {
            $0 == .probabilityOutOfRange(architecture: "ConvNet", probability: "-0.1")
        }
        assertPoolError("") { $0 == .empty }
        assertPoolError("ConvNet") { if case .malformedEntry = $0 { return true } else { return false } }
        assertPoolError("ConvNet:abc") { if case .malformedEntry = $0 { return true } else { return false } }
        assertPoolError("ConvNet:0.5,,ConvNetBN:0.5") {
            if case .malformedEntry = $0 { return true } else { return false }
        }
        assertPoolError("ConvNet(act=relu:1") { if case .malformedEntry = $0 { return true } else { return false } }
        assertPoolError("ConvNet(act=tanh):1") {
            if case .malformedArchitecture(architecture: "ConvNet(act=tanh)", _) = $0 {
                return true
            } else {
                return false
            }
        }
        assertPoolError("ConvNet:0.5,ConvNet:0.5") { $0 == .duplicateArchitecture("ConvNet") }
        assertPoolError("ConvNet(width=6,norm=groupnorm):1") {
            if case .malformedArchitecture(architecture: "ConvNet(width=6,norm=groupnorm)", let reason) = $0 {
                return reason.contains("width must be a multiple of 4 (got 6)")
            } else {
                return false
            }
        }
        XCTAssertThrowsError(try ModelPool(preset: .none, warmup: -1)) {
            XCTAssertEqual($0 as? PoolError, .negativeWarmup(-1))
        }
    }

    func testTwoSpellingsOfOneNetworkAreOneMember() throws {
        let convNet = "ConvNet(width=128,depth=3,act=relu,norm=instancenorm,pool=avgpooling)"
        for second in ["ConvNet(width=128)", "ConvNet()", "ConvNetIN", "ConvNet (depth=3)"] {
            assertPoolError("ConvNet:0.5,\(second):0.5") { $0 == .sameArchitecture("ConvNet", second, canonical: convNet) }
        }
        XCTAssertEqual(
            "\(PoolError.sameArchitecture("ConvNet", "ConvNetIN", canonical: convNet))",
            "pool architectures 'ConvNet' and 'ConvNetIN' are the same network (\(convNet)); "
                + "list it once with its total probability")
        XCTAssertNoThrow(try ModelPool(parsing: "ConvNet:0.5,ConvNetBN:0.5"))
        // The paper's preset lists its main model again among its 32 variants, as the paper does.
        XCTAssertEqual(try ModelPool(preset: .paper).members.count, 33)
    }

    func testAnOutOfRangeProbabilityIsQuotedAsTyped() {
        assertPoolError("ConvNet:1.0000005") { $0 == .probabilityOutOfRange(architecture: "ConvNet", probability: "1.0000005") }
        XCTAssertEqual(
            "\(PoolError.probabilityOutOfRange(architecture: "ConvNet", probability: "1.0000005"))",
            "pool probability 1.0000005 of 'ConvNet' is outside (0, 1]; give each member a probability above 0 and at most 1")
        // Built in code, a probability is quoted in full, never rounded into the range.
        XCTAssertThrowsError(try ModelPool(members: [.init(architecture: "ConvNet", probability: 1.0000005)])) {
            XCTAssertEqual($0 as? PoolError, .probabilityOutOfRange(architecture: "ConvNet", probability: "1.0000005"))
        }
        XCTAssertThrowsError(try ModelPool(parsing: "ConvNet:0.5,ConvNetBN:0.500002")) {
            XCTAssertEqual("\($0)", "pool probabilities sum to 1.000002; they must sum to 1")
        }
    }

    func testProbabilitiesMustSumToOne() {
        XCTAssertThrowsError(try ModelPool(parsing: "ConvNet:0.9,ConvNetBN:0.05")) { error in
            guard case .probabilitiesDoNotSumToOne(let total)? = error as? PoolError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(total, 0.95, accuracy: 1e-12)
            XCTAssertEqual("\(error)", "pool probabilities sum to 0.95; they must sum to 1")
        }
        XCTAssertNoThrow(try ModelPool(parsing: "ConvNet:0.3333333,LeNet:0.3333333,MLP:0.3333334"))
        XCTAssertThrowsError(try ModelPool(parsing: "ConvNet:0.33333,LeNet:0.33333,MLP:0.33333"))
    }

    func testDistributionMatchingNeedsEmbeddings() throws {
        let pool = try ModelPool(parsing: "ConvNet(width=8,depth=1):0.5,LeNet:0.5")
        XCTAssertNoThrow(try pool.validate(channels: 1, imageSize: 28, classes: 2, requiringEmbedding: false))
        XCTAssertThrowsError(try pool.validate(channels: 1, imageSize: 28, classes: 2, requiringEmbedding: true)) {
            XCTAssertEqual($0 as? PoolError, .memberWithoutEmbedding("LeNet"))
        }
    }

    func testSamplingFrequenciesFollowTheProbabilities() throws {
        let pool = try ModelPool(preset: .mainModel)
        var generator = SeededGenerator(seed: 2026)
        let draws = 30_000
        var counts: [String: Int] = [:]
        for iteration in 0..<draws { counts[pool.sample(iteration: iteration, using: &generator), default: 0] += 1 }
        for member in pool.members {
            let frequency = Double(counts[member.architecture, default: 0]) / Double(draws)
            // Five standard deviations of a binomial proportion.
            let tolerance = 5 * (member.probability * (1 - member.probability) / Double(draws)).squareRoot()
            XCTAssertEqual(frequency, member.probability, accuracy: tolerance, member.architecture)
        }
    }

    func testWarmupDrawsOnlyTheMainModelAndKeepsTheStream() throws {
        let warm = try ModelPool(preset: .totalRandom, warmup: 50)
        let cold = try ModelPool(preset: .totalRandom)
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        var warmDraws: [String] = []
        var coldDraws: [String] = []
        for iteration in 0..<200 {
            warmDraws.append(warm.sample(iteration: iteration, using: &a))
            coldDraws.append(cold.sample(iteration: iteration, using: &b))
        }
        XCTAssertEqual(Set(warmDraws.prefix(50)), ["ConvNet"])
        XCTAssertNotEqual(Set(coldDraws.prefix(50)), ["ConvNet"])
        XCTAssertEqual(warmDraws.suffix(150), coldDraws.suffix(150))
    }

    func testCodableRoundTripRevalidates() throws {
        let pool = try ModelPool(preset: .paper, warmup: 500)
        let data = try JSONEncoder().encode(pool)
        XCTAssertEqual(try JSONDecoder().decode(ModelPool.self, from: data), pool)
        let broken = #"{"members":[{"architecture":"ConvNet","probability":0.5}],"warmup":0}"#
        XCTAssertThrowsError(try JSONDecoder().decode(ModelPool.self, from: Data(broken.utf8))) {
            XCTAssertEqual($0 as? PoolError, .probabilitiesDoNotSumToOne(0.5))
        }
    }

    private func assertPoolError(
        _ text: String, file: StaticString = #filePath, line: UInt = #line, _ matches: (PoolError) -> Bool
    ) {
        XCTAssertThrowsError(try ModelPool(parsing: text), "'\(text)'", file: file, line: line) { error in
            guard let poolError = error as? PoolError else {
                return XCTFail("'\(text)': not a PoolError: \(error)", file: file, line: line)
            }
            XCTAssertTrue(matches(poolError), "'\(text)': \(poolError)", file: file, line: line)
            XCTAssertFalse(poolError.description.contains("\n"), file: file, line: line)
        }
    }
}
