/// Fits a picture into a cell box keeping its aspect ratio, centred, with bars on the spare sides.
public enum Letterbox {
    /// The cell rectangle that shows a `width × height` picture (square pixels) in a `cols × rows`
    /// box whose cells are `cellAspect` times taller than wide. Never empty when the box is not.
    public static func fit(width: Int, height: Int, cols: Int, rows: Int, cellAspect: Double) -> CellRect {
        guard cols > 0, rows > 0, width > 0, height > 0 else {
            return CellRect(col: 0, row: 0, cols: 0, rows: 0)
        }
        // Picture height in cell rows when it spans the full width.
        let rowsAtFullWidth = Double(cols) * Double(height) / (Double(width) * cellAspect)
        var c = cols, r = rows
        if rowsAtFullWidth <= Double(rows) {
            r = max(1, min(rows, Int(rowsAtFullWidth.rounded())))
        } else {
            let colsAtFullHeight = Double(rows) * cellAspect * Double(width) / Double(height)
            c = max(1, min(cols, Int(colsAtFullHeight.rounded())))
        }
        return CellRect(col: (cols - c) / 2, row: (rows - r) / 2, cols: c, rows: r)
    }
}
