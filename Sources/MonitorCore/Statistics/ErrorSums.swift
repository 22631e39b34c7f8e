// Sums behind the regression errors of a window: like counts, they add up across replicas,
// so the fleet rules rebuild MAE, MSE and RMSE from the sums of several windows.

extension Stats {
    /// Sums of absolute and squared errors over the labelled events of a regression window
    /// (label NaN: not labelled), compensated as `regressionQuality` sums them.
    package static func errorSums(predictions: [Double], labels: [Double]) -> (absolute: Double, squared: Double, labeled: Int) {
        var absolute = CompensatedSum()
        var squared = CompensatedSum()
        var n = 0
        for (p, y) in zip(predictions, labels) where !y.isNaN {
            let e = abs(y - p)
            absolute.add(e)
            squared.add(e * e)
            n += 1
        }
        return (absolute.value, squared.value, n)
    }
}
