/// The shadow case of Fixtures/comparison/comparison.json (made by make_comparison.py): a
/// champion and a shadow that scored some of the same requests, and what their join gives.
/// Read by the statistics' tests and by the tests through HTTP alike.
package struct ShadowCase: Decodable, Sendable {
    /// One version's events: ids (null: none), predicted classes and scores.
    package struct Side: Decodable, Sendable {
        package let ids: [String?]
        package let classes: [String]
        package let scores: [Double?]
    }

    package let champion, shadow: Side
    package let joined: Int
    package let agreement: Double
    package let score_difference: Double
}
