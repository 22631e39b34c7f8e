// Rule groups → a Prometheus rule file (and the same groups wrapped as a Kubernetes
// PrometheusRule). Only fields the Prometheus of Debian stable (2.42) accepts.

import Strategy

enum RuleFile {
    static func groupsNode(_ groups: [RuleGroup]) -> YAMLNode {
        .mapping([YAMLEntry("groups", .sequence(groups.filter { !$0.rules.isEmpty }.map(groupNode)))])
    }

    static func render(_ groups: [RuleGroup], header: [String]) -> String {
        YAML.document(groupsNode(groups), comments: header)
    }

    static func groupNode(_ g: RuleGroup) -> YAMLNode {
        .mapping([YAMLEntry("name", .string(g.name)), YAMLEntry("rules", .sequence(g.rules.map(ruleNode)))])
    }

    static func ruleNode(_ r: Rule) -> YAMLNode {
        switch r {
        case .record(let rec):
            var entries = [YAMLEntry("record", .string(rec.record)), YAMLEntry("expr", .string(rec.expr))]
            if !rec.labels.isEmpty { entries.append(YAMLEntry("labels", .mapping(rec.labels.map { YAMLEntry($0.name, .string($0.value)) }))) }
            return .mapping(entries)
        case .alert(let a):
            return .mapping([
                YAMLEntry("alert", .string(a.name)),
                YAMLEntry("expr", .string(a.expr)),
                YAMLEntry("for", .string(a.forText)),
                YAMLEntry("labels", .mapping(a.labels.map { YAMLEntry($0.name, .string($0.value)) })),
                YAMLEntry("annotations", .mapping(a.annotations.map { YAMLEntry($0.name, .string($0.template.goTemplate)) })),
            ])
        }
    }

    /// `monitoring.coreos.com/v1` PrometheusRule holding the same groups.
    static func prometheusRule(_ groups: [RuleGroup], model: String, header: [String]) -> String {
        let name = kubernetesName(model)
        let doc = YAMLNode.mapping([
            YAMLEntry("apiVersion", .string("monitoring.coreos.com/v1")),
            YAMLEntry("kind", .string("PrometheusRule")),
            YAMLEntry("metadata", .mapping([
                YAMLEntry("name", .string(name)),
                YAMLEntry("labels", .mapping([
                    YAMLEntry("app.kubernetes.io/name", .string("model-exporter")),
                    YAMLEntry("app.kubernetes.io/component", .string("rules")),
                    YAMLEntry("app.kubernetes.io/instance", .string(name)),
                    // The label kube-prometheus' default ruleSelector looks for.
                    YAMLEntry("role", .string("alert-rules")),
                ])),
            ])),
            YAMLEntry("spec", groupsNode(groups)),
        ])
        return YAML.document(doc, comments: header)
    }

    /// A DNS-1123 name: lower case, `[a-z0-9-]`, ≤ 63 characters.
    static func kubernetesName(_ model: String) -> String {
        var out = ""
        for c in model.lowercased() {
            out.append(c.isASCII && (c.isLetter || c.isNumber) ? c : "-")
        }
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        if out.isEmpty { out = "model" }
        let full = "model-exporter-" + out
        return full.count <= 63 ? full : String(full.prefix(54)) + "-" + Names.fnv1a32Hex(model)
    }
}
