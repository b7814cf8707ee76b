import Media

/// What a test-pattern frame carries in its code band: the sender's frame counter and the
/// capture timestamp (MonotonicClock nanoseconds).
public struct TestPatternStamp: Sendable, Equatable, CustomStringConvertible {
    public var frameCounter: UInt32
    public var timestampNs: UInt64

    public init(frameCounter: UInt32, timestampNs: UInt64) {
        self.frameCounter = frameCounter
        self.timestampNs = timestampNs
    }

    public var description: String { "frame \(frameCounter) @ \(timestampNs) ns" }
}

/// A moving, colourful test picture whose bottom part is a machine-readable code band.
///
/// Layout (all positions proportional, so any frame size works and a scaled copy decodes):
/// - top 9/16 of the height: scrolling colour bars with a bouncing box (real motion for encoders);
/// - bottom 7/16: a grid of 16 columns x 7 rows of black/white blocks on neutral chroma.
///   Row 0 is a sync row (white, black, white, ...) that also calibrates the threshold;
///   rows 1-6 carry 96 bits, most significant first, row-major:
///   32-bit frame counter, low 48 bits of the timestamp, CRC-16/CCITT-FALSE of those 10 bytes.
/// One block is 1/16 of the width by 1/16 of the height: 40x30 pixels at 640x480, still
/// 4x3 pixels at 64x48 (a 4:3 picture drawn with half-blocks on an 80x24 terminal).
/// The decoder reads the middle half of each block, so VP8 ringing, blur and downscaling that
/// smear block edges do not matter; the sync row and CRC let it say "not found" instead of
/// returning garbage.
public enum TestPattern {
    /// Blocks across the width.
    public static let columns = 16
    /// Code rows: one sync row and six data rows.
    public static let codeRows = 7
    /// The code band starts at this many sixteenths of the height.
    public static let codeTopSixteenths = 9
    /// Luma of white and black blocks (video range).
    public static let whiteLuma: UInt8 = 235
    public static let blackLuma: UInt8 = 16
    /// Smallest frame the generator draws and the decoder tries.
    public static let minimumSize = 16
    /// Timestamp bits carried; the rest is restored from a nearby reference time.
    public static let timestampBits = 48
    /// Minimum white-minus-black difference the decoder accepts in the sync row.
    public static let minimumContrast = 40.0

    // MARK: generator

    /// Draws frame `counter` of the pattern, stamped with `counter` and `timestampNs`.
    public static func frame(width: Int, height: Int, counter: UInt32, timestampNs: UInt64) -> VideoFrame {
        let w = max(width, minimumSize), h = max(height, minimumSize)
        var f = VideoFrame(width: w, height: h, fillY: 16, fillU: 128, fillV: 128, timestampNs: timestampNs)
        drawPicture(&f, counter: counter)
        drawCode(&f, bits: bits(counter: counter, timestampNs: timestampNs))
        return f
    }

    /// BT.601 video-range YUV of the classic colour bars: white, yellow, cyan, green, magenta, red, blue.
    private static let bars: [(UInt8, UInt8, UInt8)] = [
        (180, 128, 128), (162, 44, 142), (131, 156, 44), (112, 72, 58),
        (84, 184, 198), (65, 100, 212), (35, 212, 114),
    ]

    private static func drawPicture(_ f: inout VideoFrame, counter: UInt32) {
        let w = f.width, top = f.height * codeTopSixteenths / 16
        // Bars scroll one bar-width every 2 s at 30 fps; the box bounces diagonally.
        let barWidth = max(1, w / bars.count)
        let shift = Int(counter % UInt32(60 * bars.count)) * barWidth / 60
        let box = max(2, min(w, top) / 4)
        let travelX = max(1, w - box), travelY = max(1, top - box)
        let t = Int(counter)
        let bx = bounce(t * max(1, w / 80), travelX), by = bounce(t * max(1, top / 60), travelY)
        // Box colour cycles slowly through hues (U/V swing).
        let phase = Double(counter % 90) / 90.0 * 2 * Double.pi
        let boxU = UInt8(128 + 100 * cosApprox(phase)), boxV = UInt8(128 + 100 * cosApprox(phase + 2.1))
        // Row by row through raw buffers: the generator runs 30 times a second in every test call.
        let bars = Self.bars
        let barOf = (0..<w).map { ((($0 + shift) / barWidth) % bars.count) }
        let strideY = f.strideY, strideU = f.strideU, strideV = f.strideV
        let boxEnd = min(w, bx + box)
        let barLuma = barOf.map { Int(bars[$0].0) }
        f.y.withUnsafeMutableBufferPointer { y in
            guard let p = y.baseAddress else { return }
            var lastShade = -1
            for row in 0..<top {
                let shade = row * 40 / max(1, top), base = row * strideY
                if shade == lastShade {
                    // Same shade as the row above: copy it (the box is drawn afterwards).
                    (p + base).update(from: p + base - strideY, count: w)
                } else {
                    barLuma.withUnsafeBufferPointer { l in
                        for x in 0..<w { p[base + x] = UInt8(max(16, l[x] - shade)) }
                    }
                    lastShade = shade
                }
            }
            if bx < boxEnd {
                for row in by..<min(top, by + box) { (p + row * strideY + bx).update(repeating: 200, count: boxEnd - bx) }
            }
        }
        f.u.withUnsafeMutableBufferPointer { u in
            f.v.withUnsafeMutableBufferPointer { v in
                for row in stride(from: 0, to: top, by: 2) {
                    let inBoxRow = row >= by && row < by + box
                    let bu = (row / 2) * strideU, bv = (row / 2) * strideV
                    for x in stride(from: 0, to: w, by: 2) {
                        let inBox = inBoxRow && x >= bx && x < boxEnd
                        let bar = bars[barOf[x]]
                        u[bu + x / 2] = inBox ? boxU : bar.1
                        v[bv + x / 2] = inBox ? boxV : bar.2
                    }
                }
            }
        }
    }

    private static func bounce(_ p: Int, _ travel: Int) -> Int {
        let m = p % (2 * travel)
        return m < travel ? m : 2 * travel - m
    }

    /// Cosine without Foundation: a short Taylor series after range reduction is plenty for colours.
    private static func cosApprox(_ x: Double) -> Double {
        var a = x.truncatingRemainder(dividingBy: 2 * Double.pi)
        if a > Double.pi { a -= 2 * Double.pi }
        if a < -Double.pi { a += 2 * Double.pi }
        let a2 = a * a
        return 1 - a2 / 2 + a2 * a2 / 24 - a2 * a2 * a2 / 720 + a2 * a2 * a2 * a2 / 40320
    }

    /// Pixel span [start, end) of block `i` of `count` across `length`.
    private static func span(_ i: Int, of count: Int, length: Int) -> Range<Int> {
        (i * length / count)..<((i + 1) * length / count)
    }

    private static func drawCode(_ f: inout VideoFrame, bits: [Bool]) {
        let top = f.height * codeTopSixteenths / 16
        let width = f.width, height = f.height, strideY = f.strideY
        f.y.withUnsafeMutableBufferPointer { y in
            guard let p = y.baseAddress else { return }
            for r in 0..<codeRows {
                let rows = span(codeTopSixteenths + r, of: 16, length: height)
                for c in 0..<columns {
                    let on = r == 0 ? (c % 2 == 0) : bits[(r - 1) * columns + c]
                    let xs = span(c, of: columns, length: width)
                    for row in rows { (p + row * strideY + xs.lowerBound).update(repeating: on ? whiteLuma : blackLuma, count: xs.count) }
                }
            }
        }
        // Neutral chroma under the whole band (and the last rows, if any) keeps it pure black/white.
        let cw = f.chromaWidth, strideU = f.strideU, strideV = f.strideV
        for row in (top / 2)..<f.chromaHeight {
            f.u.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: row * strideU).update(repeating: 128, count: cw) }
            f.v.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: row * strideV).update(repeating: 128, count: cw) }
        }
    }

    /// The 96 code bits of a stamp.
    static func bits(counter: UInt32, timestampNs: UInt64) -> [Bool] {
        let bytes = payload(counter: counter, timestampNs: timestampNs)
        let crc = crc16(bytes)
        let all = bytes + [UInt8(crc >> 8), UInt8(crc & 0xff)]
        return all.flatMap { b in (0..<8).map { (b >> (7 - $0)) & 1 == 1 } }
    }

    private static func payload(counter: UInt32, timestampNs: UInt64) -> [UInt8] {
        var out: [UInt8] = (0..<4).map { UInt8(truncatingIfNeeded: counter >> (24 - 8 * $0)) }
        out += (0..<6).map { UInt8(truncatingIfNeeded: timestampNs >> (40 - 8 * $0)) }
        return out
    }

    /// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF).
    static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for b in bytes {
            crc ^= UInt16(b) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    // MARK: decoder

    /// Reads the stamp from a frame of any size, restoring the timestamp's high bits from
    /// `referenceNs` (now, by default: sender and receiver share the machine's monotonic clock).
    /// Returns nil when no intact code band is found.
    public static func decode(_ frame: VideoFrame, referenceNs: UInt64 = MonotonicClock.now()) -> TestPatternStamp? {
        guard frame.width >= minimumSize, frame.height >= minimumSize else { return nil }
        var levels = [Double](repeating: 0, count: codeRows * columns)
        for r in 0..<codeRows {
            let rows = inner(span(codeTopSixteenths + r, of: 16, length: frame.height))
            for c in 0..<columns {
                let xs = inner(span(c, of: columns, length: frame.width))
                var sum = 0
                for row in rows { for x in xs { sum += Int(frame.y[row * frame.strideY + x]) } }
                levels[r * columns + c] = Double(sum) / Double(rows.count * xs.count)
            }
        }
        // Sync row: alternating white/black, clearly separated.
        let sync = levels[0..<columns]
        let whites = stride(from: 0, to: columns, by: 2).map { sync[$0] }
        let blacks = stride(from: 1, to: columns, by: 2).map { sync[$0] }
        let contrast = whites.min()! - blacks.max()!
        guard contrast >= minimumContrast / 2,
              whites.reduce(0, +) / Double(whites.count) - blacks.reduce(0, +) / Double(blacks.count) >= minimumContrast
        else { return nil }
        let threshold = (whites.min()! + blacks.max()!) / 2
        let bits = levels[columns...].map { $0 > threshold }
        var bytes = [UInt8](repeating: 0, count: 12)
        for (i, bit) in bits.enumerated() where bit { bytes[i / 8] |= 0x80 >> UInt8(i % 8) }
        let crc = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
        guard crc16(Array(bytes[0..<10])) == crc else { return nil }
        let counter = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let low = bytes[4..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return TestPatternStamp(frameCounter: counter, timestampNs: restore(low: low, near: referenceNs))
    }

    /// The value with these low bits closest to `reference` (48 bits span 78 hours).
    static func restore(low: UInt64, near reference: UInt64) -> UInt64 {
        let period: UInt64 = 1 << UInt64(timestampBits)
        let base = reference & ~(period - 1)
        let candidates = [base &- period, base, base &+ period].map { $0 | low }
        func distance(_ v: UInt64) -> UInt64 { v > reference ? v &- reference : reference &- v }
        return candidates.min { distance($0) < distance($1) }!
    }

    /// The middle half of a span (at least one pixel).
    private static func inner(_ s: Range<Int>) -> Range<Int> {
        let n = s.count
        guard n > 2 else { return (s.lowerBound + n / 2)..<(s.lowerBound + n / 2 + 1) }
        let start = s.lowerBound + n / 4
        return start..<max(start + 1, s.lowerBound + n - n / 4)
    }
}
