/// Signal level of PCM samples.
public enum AudioLevel {
    /// Root mean square of 16-bit samples (0 for none), in sample units (full scale 32767).
    public static func rms<C: Collection>(_ samples: C) -> Double where C.Element == Int16 {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }
}
