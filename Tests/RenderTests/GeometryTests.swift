import Testing
import Media
@testable import Render

@Suite struct GeometryTests {
    @Test func fourByThreeInWideBoxIsPillarboxed() {
        // 640x480 with 2:1 cells needs 160 cols × 60 rows at full width: too tall, so fit the height.
        let r = Letterbox.fit(width: 640, height: 480, cols: 160, rows: 48, cellAspect: 2)
        #expect(r == CellRect(col: 16, row: 0, cols: 128, rows: 48))
    }

    @Test func wideFrameInTallBoxIsLetterboxed() {
        // 1280x720 in 80×40: 80 cols give 22.5 rows → 23, centred vertically.
        let r = Letterbox.fit(width: 1280, height: 720, cols: 80, rows: 40, cellAspect: 2)
        #expect(r == CellRect(col: 0, row: 8, cols: 80, rows: 23))
    }

    @Test func cellAspectIsConfigurable() {
        let square = Letterbox.fit(width: 640, height: 480, cols: 80, rows: 24, cellAspect: 1)
        #expect(square == CellRect(col: 24, row: 0, cols: 32, rows: 24))
        let tall = Letterbox.fit(width: 640, height: 480, cols: 80, rows: 24, cellAspect: 2.5)
        // 24 rows × 2.5 × 4/3 = 80 columns: exactly the box.
        #expect(tall == CellRect(col: 0, row: 0, cols: 80, rows: 24))
    }

    @Test func tinyBoxesNeverGiveAnEmptyPicture() {
        #expect(Letterbox.fit(width: 1920, height: 100, cols: 3, rows: 1, cellAspect: 2).cols == 3)
        #expect(Letterbox.fit(width: 10, height: 1000, cols: 5, rows: 1, cellAspect: 2) ==
                CellRect(col: 2, row: 0, cols: 1, rows: 1))
        #expect(Letterbox.fit(width: 10, height: 10, cols: 0, rows: 10, cellAspect: 2).cols == 0)
    }

    @Test func barsSurroundThePictureAndPictureCellsAreHalfBlocks() {
        let frame = Pictures.solid(width: 640, height: 480, y: 235, u: 128, v: 128)
        let renderer = FrameRenderer(options: RenderOptions(barColor: .rgb(10, 20, 30)))
        let grid = renderer.render(frame, cols: 160, rows: 48)
        #expect(grid.videoRect == CellRect(col: 16, row: 0, cols: 128, rows: 48))
        for row in 0..<48 {
            for col in 0..<160 {
                let cell = grid[col, row]
                if col < 16 || col >= 144 {
                    #expect(cell == .blank(.rgb(10, 20, 30)))
                } else {
                    #expect(cell == Cell(glyph: "▀", fg: .rgb(255, 255, 255), bg: .rgb(255, 255, 255)))
                }
            }
        }
    }

    @Test func resolutionChangeBetweenFramesMatchesAFreshRenderer() {
        let renderer = FrameRenderer()
        var grid = CellGrid(cols: 0, rows: 0)
        let frames = [Pictures.photo(width: 640, height: 480), Pictures.photo(width: 320, height: 240, seed: 2),
                      Pictures.photo(width: 240, height: 480, seed: 3), Pictures.photo(width: 641, height: 359, seed: 4)]
        var rects: [CellRect] = []
        for f in frames {
            renderer.render(f, cols: 80, rows: 24, into: &grid)
            #expect(grid == FrameRenderer().render(f, cols: 80, rows: 24))
            rects.append(grid.videoRect)
        }
        #expect(rects[2] == CellRect(col: 28, row: 0, cols: 24, rows: 24))
        // The portrait frame leaves no stale picture cells from the landscape one beside it.
        #expect(grid.videoRect != rects[2])
        renderer.render(frames[2], cols: 80, rows: 24, into: &grid)
        #expect(grid[10, 5] == .blank(.rgb(0, 0, 0)) && grid[70, 20] == .blank(.rgb(0, 0, 0)))
    }
}
