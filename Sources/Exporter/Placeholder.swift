// Exporter
