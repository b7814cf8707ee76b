import Codecs
import Media
import Testing

@Suite struct OpusCodecTests {
    /// Frames skipped at the start of a decode while the codec's delay fills.
    static let warmUpFrames = 5

    @Test func monoToneSurvivesEncodeDecode() throws {
        let encoder = try OpusAudioEncoder()
        let decoder = try OpusAudioDecoder()
        var tone = ToneSource(1000)
        var input = [AudioFrame](), output = [AudioFrame]()
        for _ in 0..<50 {
            let frame = tone.next()
            input.append(frame)
            output.append(try decoder.decode(try encoder.encode(frame)))
        }
        let heard = channelSamples(Array(output.dropFirst(Self.warmUpFrames)))
        let sent = channelSamples(Array(input.dropFirst(Self.warmUpFrames)))
        #expect(dominantFrequency(heard, among: [250, 440, 700, 1000, 1500, 2000, 3000]) == 1000)
        #expect(toneShare(heard, frequency: 1000) > 0.9)
        let loudness = meanSquare(heard) / meanSquare(sent)
        #expect(loudness > 0.5 && loudness < 2, "output level \(loudness)x the input's power")
    }

    @Test func stereoChannelsKeepTheirOwnTones() throws {
        let encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(channels: 2))
        let decoder = try OpusAudioDecoder(channels: 2)
        var tone = ToneSource(440, 1500)
        var output = [AudioFrame]()
        for _ in 0..<50 { output.append(try decoder.decode(try encoder.encode(tone.next()))) }
        let frames = Array(output.dropFirst(Self.warmUpFrames))
        #expect(frames.allSatisfy { $0.channels == 2 && $0.samples.count == 2 * AudioFrame.samplesPerChannel })
        let candidates: [Double] = [440, 1000, 1500, 3000]
        #expect(dominantFrequency(channelSamples(frames, channel: 0), among: candidates) == 440)
        #expect(dominantFrequency(channelSamples(frames, channel: 1), among: candidates) == 1500)
    }

    @Test func concealmentContinuesTheToneAtFullLength() throws {
        let encoder = try OpusAudioEncoder()
        let decoder = try OpusAudioDecoder()
        var tone = ToneSource(500)
        for _ in 0..<20 { _ = try decoder.decode(try encoder.encode(tone.next())) }
        let concealed = decoder.concealLoss(timestampNs: 7)
        #expect(concealed.samples.count == AudioFrame.samplesPerChannel)
        #expect(concealed.timestampNs == 7)
        let signal = concealed.samples.map(Double.init)
        #expect(meanSquare(signal) > 0, "concealment should not be silence after a steady tone")
        #expect(dominantFrequency(signal, among: [250, 500, 1000, 2000]) == 500)
    }

    /// The tone jumps from 500 Hz to 1500 Hz exactly in the lost packet: concealment can only
    /// extrapolate the old tone, while FEC carried in the next packet knows the new one.
    @Test func fecRebuildsTheLostPacketBetterThanConcealment() throws {
        let encoder = try OpusAudioEncoder()
        var low = ToneSource(500), high = ToneSource(1500)
        let lostIndex = 20
        var packets = [[UInt8]]()
        for i in 0..<30 {
            high.sampleIndex = low.sampleIndex
            let frame = i < lostIndex ? low.next() : high.next()
            if i >= lostIndex { low.sampleIndex = high.sampleIndex }
            packets.append(try encoder.encode(frame))
        }
        // FEC exists only in SILK and hybrid packets (TOC configs 0...15).
        #expect(packets[lostIndex + 1][0] >> 3 < 16, "VOIP speech should use SILK or hybrid mode")

        let withFEC = try OpusAudioDecoder(), withPLC = try OpusAudioDecoder()
        for p in packets[0..<lostIndex] { _ = try withFEC.decode(p); _ = try withPLC.decode(p) }
        let recovered = withFEC.recover(fromNext: packets[lostIndex + 1])
        let concealed = withPLC.concealLoss()
        #expect(recovered.samples.count == AudioFrame.samplesPerChannel)
        #expect(concealed.samples.count == AudioFrame.samplesPerChannel)
        // Only the second half: the decoder's delay still carries old audio into the lost frame's start.
        let fecTail = recovered.samples.suffix(480).map(Double.init)
        let plcTail = concealed.samples.suffix(480).map(Double.init)
        #expect(tonePower(fecTail, frequency: 1500) > 4 * tonePower(plcTail, frequency: 1500),
                "FEC output should contain the new tone that concealment cannot know")
        // Normal decoding continues after the recovery.
        let next = try withFEC.decode(packets[lostIndex + 1])
        #expect(dominantFrequency(next.samples.map(Double.init), among: [500, 1500]) == 1500)
    }

    @Test func recoverWithoutUsablePacketStillFillsTheGap() throws {
        let decoder = try OpusAudioDecoder(channels: 2)
        #expect(decoder.recover(fromNext: []).samples.count == 2 * AudioFrame.samplesPerChannel)
        #expect(decoder.recover(fromNext: [0x03, 0x00]).samples.count == 2 * AudioFrame.samplesPerChannel)
    }

    @Test func badPacketsThrowClearErrors() throws {
        let decoder = try OpusAudioDecoder()
        #expect(throws: OpusCodecError.emptyPacket) { try decoder.decode([]) }
        // Code 3 (arbitrary frame count) declaring zero frames is malformed.
        #expect(throws: OpusCodecError.self) { try decoder.decode([0x03, 0x00]) }
        // TOC config 2 = SILK narrowband 40 ms: valid Opus, but not a 20 ms frame.
        #expect(throws: OpusCodecError.unsupportedDuration(samples: 1920)) {
            try decoder.decode([0x10, 0xAA, 0xBB])
        }
        do { _ = try decoder.decode([0x03, 0x00]); Issue.record("malformed packet decoded") } catch {
            #expect(error.description.contains("concealLoss"), "the error should name the remedy")
        }
    }

    @Test func randomBytesNeverCrashTheDecoder() throws {
        let decoder = try OpusAudioDecoder()
        var rng = SeededBytes(seed: 42)
        var decoded = 0, rejected = 0
        for _ in 0..<2000 {
            let packet = rng.bytes(1 + rng.below(300))
            do {
                let frame = try decoder.decode(packet)
                #expect(frame.samples.count == AudioFrame.samplesPerChannel)
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        #expect(decoded + rejected == 2000)
        #expect(rejected > 0, "some random packets must be rejected")
        // The decoder still works afterwards.
        let encoder = try OpusAudioEncoder()
        var tone = ToneSource(1000)
        #expect(try decoder.decode(try encoder.encode(tone.next())).samples.count == AudioFrame.samplesPerChannel)
    }

    @Test func encoderRejectsWrongChannelCount() throws {
        let encoder = try OpusAudioEncoder()
        #expect(throws: OpusCodecError.channelMismatch(expected: 1, got: 2)) {
            try encoder.encode(.silence(channels: 2))
        }
        #expect(throws: OpusCodecError.unsupportedChannels(3)) {
            try OpusAudioEncoder(settings: OpusEncoderSettings(channels: 3))
        }
    }

    @Test func bitrateRequestFromAnotherThreadShrinksPackets() async throws {
        let encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(bitrate: 64_000))
        var tone = ToneSource(700)
        func averageSize(_ n: Int) throws -> Double {
            var total = 0
            for _ in 0..<n { total += try encoder.encode(tone.next()).count }
            return Double(total) / Double(n)
        }
        let high = try averageSize(25)
        let requests = encoder.requests
        await Task.detached { requests.setTargetBitrate(12_000); requests.setExpectedPacketLoss(percent: 20) }.value
        _ = try averageSize(5)
        let low = try averageSize(25)
        #expect(encoder.settings.bitrate == 12_000 && encoder.settings.packetLossPercent == 20)
        // 64 kbit/s is 160 bytes per 20 ms; 12 kbit/s is 30.
        #expect(low < high / 2, "packets averaged \(high) bytes at 64 kbit/s and \(low) at 12 kbit/s")
    }
}
