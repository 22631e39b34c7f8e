// alertmanager/alertmanager.yml: a route per team (from the objectives), under it a route per
// severity (timing differs: critical pages fast and often, info rarely), one webhook receiver
// per team, and inhibition: a critical alert silences the warning and info alerts of the same
// model, version and `signal_group` (the concern: quality, drift, …), a warning the info ones.

import Strategy

enum AlertmanagerConfig {
    struct Timing {
        var groupWait: String
        var groupInterval: String
        var repeatInterval: String
    }

    static func timing(_ s: Severity) -> Timing {
        switch s {
        case .critical: Timing(groupWait: "10s", groupInterval: "1m", repeatInterval: "1h")
        case .warning: Timing(groupWait: "30s", groupInterval: "5m", repeatInterval: "4h")
        case .info: Timing(groupWait: "1m", groupInterval: "15m", repeatInterval: "24h")
        }
    }

    /// The severity's timing with the options' overrides (`generate --alertmanager.group-wait …`).
    static func timing(_ s: Severity, _ o: AlertmanagerTiming) -> Timing {
        var t = timing(s)
        if let v = o.groupWait { t.groupWait = v }
        if let v = o.groupInterval { t.groupInterval = v }
        if let v = o.repeatInterval { t.repeatInterval = v }
        return t
    }

    /// An Alertmanager matcher `name="value"` (value escaped as in PromQL).
    static func matcher(_ name: String, _ value: String) -> String { name + "=" + PromQL.quote(value) }

    static func render(teams: [String], options: GeneratorOptions, header: [String]) -> String {
        let all = Array(Set(teams + [Names.defaultTeam])).sorted()
        let routes: [YAMLNode] = all.map { team in
            .mapping([
                YAMLEntry("matchers", .strings([matcher(Names.teamLabel, team)])),
                YAMLEntry("receiver", .string(team)),
                YAMLEntry("routes", .sequence(Severity.allCases.map { sev in
                    let t = timing(sev, options.alertmanagerTiming)
                    return .mapping([
                        YAMLEntry("matchers", .strings([matcher(Names.severityLabel, sev.rawValue)])),
                        YAMLEntry("receiver", .string(team)),
                        YAMLEntry("group_wait", .string(t.groupWait)),
                        YAMLEntry("group_interval", .string(t.groupInterval)),
                        YAMLEntry("repeat_interval", .string(t.repeatInterval)),
                    ])
                })),
            ])
        }
        let receivers: [YAMLNode] = all.map { team in
            .mapping([
                YAMLEntry("name", .string(team)),
                YAMLEntry("webhook_configs", .sequence([.mapping([
                    YAMLEntry("url", .string(options.webhookURLs[team] ?? "http://127.0.0.1:5001/\(team)")),
                    YAMLEntry("send_resolved", .bool(true)),
                ])])),
            ])
        }
        let equal = YAMLNode.strings([Label.model, Label.modelVersion, Names.signalGroupLabel])
        func inhibit(_ source: Severity, _ targets: [Severity]) -> YAMLNode {
            .mapping([
                YAMLEntry("source_matchers", .strings([matcher(Names.severityLabel, source.rawValue)])),
                YAMLEntry("target_matchers", .strings([
                    Names.severityLabel + "=~" + PromQL.quote(targets.map(\.rawValue).joined(separator: "|")),
                ])),
                YAMLEntry("equal", equal),
            ])
        }
        let warning = timing(.warning, options.alertmanagerTiming)
        let doc = YAMLNode.mapping([
            YAMLEntry("route", .mapping([
                YAMLEntry("receiver", .string(Names.defaultTeam)),
                YAMLEntry("group_by", .strings(["alertname", Label.model])),
                YAMLEntry("group_wait", .string(warning.groupWait)),
                YAMLEntry("group_interval", .string(warning.groupInterval)),
                YAMLEntry("repeat_interval", .string(warning.repeatInterval)),
                YAMLEntry("routes", .sequence(routes)),
            ])),
            YAMLEntry("receivers", .sequence(receivers)),
            YAMLEntry("inhibit_rules", .sequence([inhibit(.critical, [.warning, .info]), inhibit(.warning, [.info])])),
        ])
        return YAML.document(doc, comments: header)
    }
}
