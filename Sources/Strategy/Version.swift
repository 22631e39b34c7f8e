/// The product's version: in `model_exporter_build_info`, `--version` and the header of every
/// generated file (so the committed example output names the version that wrote it).
package enum ProductVersion {
    package static let version = "0.1.0"
}
