import YAMLReader

// Versions of one model served side by side: the champion (`model.version`) and the
// challengers (A/B: they take part of the traffic) and shadows (they score the same requests
// without serving them) listed under `versions:`.

/// What a version other than the champion does with traffic.
package enum VersionRole: String, Sendable, Equatable, CaseIterable {
    /// Takes a share of the traffic; compared with the champion on its own events.
    case challenger
    /// Scores the same requests as the champion; also compared with it request by request.
    case shadow
}

/// A version served beside the champion.
package struct ModelVersion: Sendable, Equatable {
    /// The `model_version` label of its series, and the `model_version` key of its events.
    package var version: String
    package var role: VersionRole

    package init(version: String, role: VersionRole) {
        self.version = version
        self.role = role
    }
}

extension Strategy {
    /// Every version served: the champion first, then `versions` in the strategy's order.
    package var allVersions: [String] { [model.version] + versions.map(\.version) }

    /// The same strategy for one of its versions: every series it makes carries that version.
    package func forVersion(_ version: String) -> Strategy {
        var s = self
        s.model.version = version
        return s
    }
}

extension StrategyReader {
    /// `versions:`: a list of `{version, role}`, each version distinct from the champion's
    /// and from the others.
    func readVersions(_ node: YNode, champion: String) throws(StrategyError) -> [ModelVersion] {
        var out: [ModelVersion] = []
        for item in try node.list() {
            let map = try item.mapping(allowing: ["version", "role"])
            let versionNode = try map.required("version")
            let version = try versionNode.nonEmptyString()
            if version == champion {
                throw versionNode.error("\(quoted(version)) is the champion (model.version)")
            }
            if let first = out.firstIndex(where: { $0.version == version }) {
                throw versionNode.error("duplicate version \(quoted(version)) (first at versions[\(first)])")
            }
            out.append(ModelVersion(version: version, role: try map.required("role").choice(VersionRole.self)))
        }
        return out
    }
}
