import MonitorCore
import Strategy
import Testing
@testable import Ingest

/// `model_version` in events: absent or the champion's is the champion (nil), a served
/// challenger or shadow is kept, anything else refuses the whole body naming the event and the
/// field. Both decoders agree.
@Suite struct VersionDecodingTests {
    static var strategy: Strategy {
        var s = ingestTestStrategy()
        s.model.version = "3.2.0"
        s.versions = [ModelVersion(version: "3.3.0-rc1", role: .challenger), ModelVersion(version: "4.0.0", role: .shadow)]
        return s
    }
    let schemas = ["m": EventSchema(strategy: Self.strategy)]

    func decode(_ body: String) throws(BodyError) -> [Event] {
        try EventDecoder.events(EventDecoder.items(Array(body.utf8), encoding: .json), schemas: schemas, defaultModel: "m").map(\.event)
    }

    @Test func versionsAreRouted() throws {
        let body = #"[{"prediction":"1"},{"prediction":"1","model_version":"3.2.0"},{"model_version":"3.3.0-rc1","prediction":"0"},{"prediction":"0","model_version":"4.0.0","id":"r1"}]"#
        let events = try decode(body)
        #expect(events.map(\.modelVersion) == [nil, nil, "3.3.0-rc1", "4.0.0"])
        let fast = try #require(EventDecoder.decodeDirect(Array(body.utf8), encoding: .json, schemas: schemas, defaultModel: "m"))
        #expect(fast.map(\.event) == events)
        #expect(DecoderAgreement.check(body: Array(body.utf8), encoding: .json, schemas: schemas, defaultModel: "m") == nil)
    }

    @Test func unknownVersionRefusesTheBody() {
        let body = #"[{"prediction":"1"},{"prediction":"1","model_version":"9.9"},{"prediction":"1","model_version":3}]"#
        #expect(throws: BodyError.invalid([
            EventProblem(index: 1, field: "model_version", reason: #"unknown version "9.9" of model m (expected one of: "3.2.0", "3.3.0-rc1", "4.0.0")"#),
            EventProblem(index: 2, field: "model_version", reason: "expected a string, found a number"),
        ])) { _ = try decode(body) }
        #expect(EventDecoder.decodeDirect(Array(body.utf8), encoding: .json, schemas: schemas, defaultModel: "m") == nil)
        #expect(DecoderAgreement.check(body: Array(body.utf8), encoding: .json, schemas: schemas, defaultModel: "m") == nil)
    }

    @Test func aModelWithoutVersionsTakesOnlyItsOwn() {
        let schemas = ["m": EventSchema(strategy: ingestTestStrategy())]
        let champion = ingestTestStrategy().model.version
        let ok = Array(#"{"prediction":"1","model_version":"\#(champion)"}"#.utf8)
        #expect(EventDecoder.decodeDirect(ok, encoding: .json, schemas: schemas, defaultModel: "m")?.first?.event.modelVersion == .some(nil))
        let bad = Array(#"{"prediction":"1","model_version":"other"}"#.utf8)
        #expect(throws: BodyError.self) {
            _ = try EventDecoder.events(EventDecoder.items(bad, encoding: .json), schemas: schemas, defaultModel: "m")
        }
    }
}
