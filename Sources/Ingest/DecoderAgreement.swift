import MonitorCore

/// The fast decoder must never change an answer: for any body, the events the API applies are
/// those of the general decoder (`items` then `events`), and a refusal is the general decoder's.
/// This checks one body, for tests over fixtures and for a fuzzer over any bytes.
package enum DecoderAgreement {
    /// nil when the decoders agree on `body`; otherwise what differs.
    package static func check(
        body: [UInt8], encoding: BodyEncoding, schemas: [String: EventSchema], defaultModel: String?
    ) -> String? {
        let general: Result<[(model: String, event: Event)], BodyError> = Result { () throws(BodyError) in
            try EventDecoder.events(EventDecoder.items(body, encoding: encoding), schemas: schemas, defaultModel: defaultModel)
        }
        // Giving up is always allowed: the general decoder then answers alone.
        guard let fast = EventDecoder.decodeDirect(body, encoding: encoding, schemas: schemas, defaultModel: defaultModel) else { return nil }
        switch general {
        case .failure(let error):
            return "the fast decoder accepted \(fast.count) events; the general decoder refuses the body: \(error)"
        case .success(let events):
            guard events.count == fast.count else {
                return "the fast decoder accepted \(fast.count) events, the general decoder \(events.count)"
            }
            for (n, (a, b)) in zip(fast, events).enumerated() where a.model != b.model || a.event != b.event {
                return "event \(n): fast \(a.model) \(a.event), general \(b.model) \(b.event)"
            }
            return nil
        }
    }
}
