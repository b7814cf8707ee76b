import Foundation
import Media
import Render

/// What the large part of the video pane shows.
enum VideoContent: Sendable {
    case frame(VideoFrame)
    /// Centred text lines on the bar colour (no camera, preview hidden, waiting for video).
    case placeholder([String])
}

/// One picture of the video pane to compose: the main content, the picture-in-picture and the
/// stats overlay, for a pane size, place and render options. `generation` ties the output to the
/// layout and repaint it was made for.
struct VideoJob: Sendable {
    var content: VideoContent
    var pip: VideoFrame?
    /// Pane-relative.
    var pipRect: Rect
    var overlay: [String]
    var cols: Int
    var rows: Int
    /// The pane's top-left cell on the terminal (0-based).
    var originX: Int
    var originY: Int
    var options: RenderOptions
    var generation: Int
}

/// Renders video jobs into cell grids (frames scaled and quantized by the Render module, the
/// picture-in-picture pasted in, text drawn as cells). Keeps its renderers and grids between
/// jobs, so a steady stream of same-sized frames allocates little.
final class VideoCompositor {
    /// Only ASCII may be drawn (no UTF-8 locale).
    let asciiOnly: Bool
    private let mainRenderer = FrameRenderer()
    private let pipRenderer = FrameRenderer()
    private var pipGrid = CellGrid(cols: 0, rows: 0)
    private var options = RenderOptions()

    init(asciiOnly: Bool) { self.asciiOnly = asciiOnly }

    func compose(_ job: VideoJob) -> CellGrid {
        options = job.options
        mainRenderer.options = job.options
        pipRenderer.options = job.options
        var grid = CellGrid(cols: job.cols, rows: job.rows, fill: barCell)
        switch job.content {
        case .frame(let f):
            mainRenderer.render(f, cols: job.cols, rows: job.rows, into: &grid)
        case .placeholder(let lines):
            // A few lines are centred one by one; a longer text (the help) as a block, left-aligned.
            let top = max(0, (job.rows - lines.count) / 2)
            let blockWidth = min(job.cols, lines.map { TextWidth.cells($0) }.max() ?? 0)
            for (i, line) in lines.enumerated() where top + i < job.rows {
                let w = min(TextWidth.cells(line), job.cols)
                let col = lines.count > 4 ? (job.cols - blockWidth) / 2 : (job.cols - w) / 2
                text(line, into: &grid, row: top + i, col: max(0, col), overlay: false)
            }
        }
        let r = job.pipRect
        if let pip = job.pip, r.w > 2, r.h > 1 {
            pipRenderer.render(pip, cols: r.w, rows: r.h, into: &pipGrid)
            for y in 0..<r.h where r.y + y < job.rows {
                for x in 0..<r.w where r.x + x < job.cols { grid[r.x + x, r.y + y] = pipGrid[x, y] }
            }
        }
        for (i, line) in job.overlay.enumerated() where i < job.rows {
            text(" " + line + " ", into: &grid, row: i, col: 0, overlay: true)
        }
        return grid
    }

    private var barCell: Cell {
        options.depth == .mono ? .blank(.terminalDefault) : .blank(color(options.barColor.r, options.barColor.g, options.barColor.b))
    }

    /// An RGB colour as the current depth can show it.
    private func color(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> CellColor {
        switch options.depth {
        case .trueColor: return .rgb(r, g, b)
        case .palette256: return .palette(Palette256.nearest(r: r, g: g, b: b))
        case .palette16: return .palette(r > 128 ? 15 : (r > 48 ? 8 : 0))
        case .mono: return .terminalDefault
        }
    }

    /// Writes one line of text as cells: a wide character takes two (its glyph, then `Glyphs.wideTail`),
    /// combining marks are composed where Unicode can and dropped where not, controls become `?`.
    private func text(_ s: String, into grid: inout CellGrid, row: Int, col: Int, overlay: Bool) {
        let fg = color(230, 230, 230)
        let bg = overlay ? color(40, 40, 40) : barCell.bg
        var c = col
        for scalar in s.precomposedStringWithCanonicalMapping.unicodeScalars {
            guard c < grid.cols else { break }
            let control = scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
            var width = control ? 1 : TextWidth.cells(scalar)
            if width == 0 { continue }
            var glyph = scalar
            if control || scalar == Glyphs.wideTail || (asciiOnly && !scalar.isASCII) { glyph = "?"; width = 1 }
            if width == 2 {
                guard c + 1 < grid.cols else { break }
                grid[c + 1, row] = Cell(glyph: Glyphs.wideTail, fg: fg, bg: bg)
            }
            grid[c, row] = Cell(glyph: glyph, fg: fg, bg: bg)
            c += width
        }
    }
}
