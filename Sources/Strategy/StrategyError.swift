import YAMLReader

/// Why a strategy file was refused, and where (`file:line:column: path: message`):
///
/// ```
/// strategy.yml:23:5: features[1].type: expected numerical or categorical, found "numeric"
/// ```
package typealias StrategyError = SourceError
