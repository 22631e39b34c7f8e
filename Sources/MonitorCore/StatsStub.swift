// TEMPORARY until the statistics branch lands; removed at merge.
public enum Stats {
    public static func bin(of x: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi { let mid = (lo + hi) / 2; if edges[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
