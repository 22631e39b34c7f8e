import MonitorCore

/// The readers of events must never disagree on an answer. For any body:
///
/// - the fast decoder's events are those of the general decoder (`items` then `events`), and a
///   refusal is the general decoder's;
/// - events the API accepts, written back by `EventEncoder`, read back as the same events;
/// - a body of one object on one line means the same as JSON and as NDJSON, for events and
///   for labels (the two encodings share every rule past the split into objects).
///
/// Each check is over one body, for tests over fixtures and for a fuzzer over any bytes.
package enum DecoderAgreement {
    /// nil when the event decoders agree on `body`; otherwise what differs.
    package static func check(
        body: [UInt8], encoding: BodyEncoding, schemas: [String: EventSchema], defaultModel: String?
    ) -> String? {
        let general = generalEvents(body, encoding: encoding, schemas: schemas, defaultModel: defaultModel)
        if case .success(let events) = general, let problem = roundTrip(events, schemas: schemas) { return problem }
        if let problem = oneLine(body, encoding: encoding, general, same: { $0.model == $1.model && $0.event == $1.event }, { body, encoding in
            generalEvents(body, encoding: encoding, schemas: schemas, defaultModel: defaultModel)
        }) {
            return problem
        }
        // Giving up is always allowed: the general decoder then answers alone.
        guard let fast = EventDecoder.decodeDirect(body, encoding: encoding, schemas: schemas, defaultModel: defaultModel) else { return nil }
        switch general {
        case .failure(let error):
            return "the fast decoder accepted \(fast.count) events; the general decoder refuses the body: \(error)"
        case .success(let events):
            return differences(fast, events, "fast", "general")
        }
    }

    /// nil when a labels body means the same as JSON and as NDJSON (see above); otherwise what
    /// differs. There is one labels decoder: the API's answer is `labels(items(body))`.
    package static func checkLabels(
        body: [UInt8], encoding: BodyEncoding, schemas: [String: EventSchema], defaultModel: String?
    ) -> String? {
        func decode(_ body: [UInt8], _ encoding: BodyEncoding) -> Result<[(model: String, update: LabelUpdate)], BodyError> {
            Result { () throws(BodyError) in
                try EventDecoder.labels(EventDecoder.items(body, encoding: encoding), schemas: schemas, defaultModel: defaultModel)
            }
        }
        return oneLine(body, encoding: encoding, decode(body, encoding), same: { $0.model == $1.model && $0.update == $1.update }, decode)
    }

    private static func generalEvents(
        _ body: [UInt8], encoding: BodyEncoding, schemas: [String: EventSchema], defaultModel: String?
    ) -> Result<[(model: String, event: Event)], BodyError> {
        Result { () throws(BodyError) in
            try EventDecoder.events(EventDecoder.items(body, encoding: encoding), schemas: schemas, defaultModel: defaultModel)
        }
    }

    /// Accepted events, written as a client would post them, are read back unchanged.
    private static func roundTrip(_ events: [(model: String, event: Event)], schemas: [String: EventSchema]) -> String? {
        guard !events.isEmpty else { return nil }
        let lines = events.map { EventEncoder.ndjsonLine($0.event, schema: schemas[$0.model]!) }
        let again = generalEvents(Array(lines.joined(separator: "\n").utf8), encoding: .ndjson, schemas: schemas, defaultModel: nil)
        switch again {
        case .failure(let error): return "accepted events, written back, are refused: \(error)"
        case .success(let read): return differences(read, events, "written back", "accepted")
        }
    }

    /// For a body of one JSON object on one line: the same answer in the other encoding.
    private static func oneLine<T>(
        _ body: [UInt8], encoding: BodyEncoding, _ answer: Result<[T], BodyError>, same: (T, T) -> Bool,
        _ decode: ([UInt8], BodyEncoding) -> Result<[T], BodyError>
    ) -> String? {
        guard !body.contains(0x0A), body.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) == UInt8(ascii: "{") else { return nil }
        let other: BodyEncoding = encoding == .json ? .ndjson : .json
        switch (answer, decode(body, other)) {
        case (.success(let a), .success(let b)):
            if a.count == b.count, zip(a, b).allSatisfy(same) { return nil }
            return "one line, \(encoding) accepts \(a), \(other) accepts \(b)"
        case (.failure(let a), .failure(let b)):
            // The NDJSON refusal names the line (index 0); the JSON one cannot.
            if case .syntax(let x, _) = a, case .syntax(let y, _) = b, x == y { return nil }
            return a == b ? nil : "one line, \(encoding) refuses with \(a), \(other) with \(b)"
        case (.success(let a), .failure(let b)):
            return "one line, \(encoding) accepts \(a.count) items, \(other) refuses: \(b)"
        case (.failure(let a), .success(let b)):
            return "one line, \(encoding) refuses (\(a)), \(other) accepts \(b.count) items"
        }
    }

    private static func differences(
        _ a: [(model: String, event: Event)], _ b: [(model: String, event: Event)], _ nameA: String, _ nameB: String
    ) -> String? {
        guard a.count == b.count else { return "the \(nameA) events are \(a.count), the \(nameB) ones \(b.count)" }
        for (n, (x, y)) in zip(a, b).enumerated() where x.model != y.model || x.event != y.event {
            return "event \(n): \(nameA) \(x.model) \(x.event), \(nameB) \(y.model) \(y.event)"
        }
        return nil
    }
}
