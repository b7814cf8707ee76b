/// A rectangle of cells inside a cell box.
public struct CellRect: Hashable, Sendable {
    public var col: Int
    public var row: Int
    public var cols: Int
    public var rows: Int
    public init(col: Int, row: Int, cols: Int, rows: Int) {
        self.col = col; self.row = row; self.cols = cols; self.rows = rows
    }
}

/// What a terminal box shows: `cols × rows` cells in row-major order, and where the picture sits.
public struct CellGrid: Hashable, Sendable {
    public private(set) var cols: Int
    public private(set) var rows: Int
    /// Row-major cells, `cols * rows` of them.
    public var cells: [Cell]
    /// The picture inside the box; cells outside it are letterbox bars.
    public var videoRect: CellRect

    /// A box filled with blank cells.
    public init(cols: Int, rows: Int, fill: Cell = .blank(.rgb(0, 0, 0))) {
        precondition(cols >= 0 && rows >= 0, "cell box size must not be negative")
        self.cols = cols; self.rows = rows
        cells = [Cell](repeating: fill, count: cols * rows)
        videoRect = CellRect(col: 0, row: 0, cols: 0, rows: 0)
    }

    @inlinable public subscript(col: Int, row: Int) -> Cell {
        get { cells[row * cols + col] }
        set { cells[row * cols + col] = newValue }
    }

    /// Changes the box size, keeping the storage when the cell count allows (no allocation when equal).
    public mutating func resize(cols: Int, rows: Int, fill: Cell) {
        if cols * rows != cells.count {
            cells = [Cell](repeating: fill, count: cols * rows)
        }
        self.cols = cols; self.rows = rows
    }
}
