// prometheus/prometheus.yml: scrape the exporter, load every generated rule file, send alerts
// to Alertmanager. Rule paths are relative to this file, as Prometheus resolves them.

enum PrometheusConfig {
    static func render(ruleFiles: [String], options: GeneratorOptions, header: [String]) -> String {
        let doc = YAMLNode.mapping([
            YAMLEntry("global", .mapping([
                YAMLEntry("scrape_interval", .string(options.scrapeInterval)),
                YAMLEntry("evaluation_interval", .string(options.evaluationInterval)),
            ])),
            YAMLEntry("alerting", .mapping([
                YAMLEntry("alertmanagers", .sequence([.mapping([
                    YAMLEntry("static_configs", .sequence([.mapping([YAMLEntry("targets", .strings(options.alertmanagerTargets))])])),
                ])])),
            ])),
            YAMLEntry("rule_files", .strings(ruleFiles)),
            YAMLEntry("scrape_configs", .sequence([.mapping([
                YAMLEntry("job_name", .string(Names.job)),
                YAMLEntry("static_configs", .sequence([.mapping([YAMLEntry("targets", .strings(options.exporterTargets))])])),
            ])])),
        ])
        return YAML.document(doc, comments: header)
    }
}
