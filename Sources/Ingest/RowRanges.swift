import MonitorCore
import Strategy

extension CSVEvents {
    /// A table's rows decoded a range at a time, for a caller that schedules the decoding
    /// itself (backtest's pipeline decodes ranges on the cores the replay leaves). Every column
    /// the strategy names is found once, when made; `batch(_:)` may run on several tasks at once.
    package struct RowRanges: Sendable {
        private let reader: RowReader

        package init(_ table: CSVTable, schema: EventSchema, columns: Columns) throws(InputError) {
            reader = try RowReader(table, schema: schema, columns: columns)
        }

        package var rowCount: Int { reader.table.rowCount }

        /// The events of `rows` by column, in order; the error is the first bad row's.
        package func batch(_ rows: Range<Int>) throws(InputError) -> EventBatch { try reader.batch(rows) }
    }
}
