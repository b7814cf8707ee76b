// tuicall web client, call statistics for people and tests: one summary of RTCPeerConnection.getStats().

/// A freeze as the network scenarios count it: a gap of at least this long between shown frames.
const LONG_FREEZE_MS = 500;
/// Long freezes listed per call (older ones are still counted).
const LONG_FREEZES_KEPT = 100;

/// Calls `first` at the first shown remote frame, then counts long freezes (gaps ≥ LONG_FREEZE_MS
/// between shown frames, with the wall-clock time video came back) into c.longFreezes, while `alive()`.
/// A newer watch of the same call (a re-offered video track) replaces this one.
export function watchFrames(c, video, first, alive) {
  const freezes = { count: 0, totalMs: 0, recent: [] };
  c.longFreezes = freezes;
  let last = null;
  const onFrame = () => {
    if (!alive() || c.longFreezes !== freezes) return;
    const now = performance.now();
    if (last === null) first();
    else if (now - last >= LONG_FREEZE_MS) {
      freezes.count += 1;
      freezes.totalMs += now - last;
      freezes.recent.push({ endUnixMs: Math.round(performance.timeOrigin + now), durationMs: now - last });
      if (freezes.recent.length > LONG_FREEZES_KEPT) freezes.recent.shift();
    }
    last = now;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

const ufrag = (description) => /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? "")?.[1] ?? null;

/// `c`: the call ({ pc, iceRestarts }). Sums the inbound and outbound RTP streams per kind.
export async function callStats(c) {
  const pc = c.pc;
  const report = await pc.getStats();
  const out = {
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    iceRestarts: c.iceRestarts ?? 0,
    longFreezes: c.longFreezes ?? { count: 0, totalMs: 0, recent: [] },
    localUfrag: ufrag(pc.localDescription),
    remoteUfrag: ufrag(pc.remoteDescription),
    transceivers: pc.getTransceivers().map((t) => ({ mid: t.mid, kind: t.receiver.track.kind, direction: t.currentDirection })),
    inboundVideo: { framesDecoded: 0, frameWidth: 0, frameHeight: 0, packetsReceived: 0, packetsLost: 0,
                    bytesReceived: 0, freezeCount: 0, totalFreezesDuration: 0, jitterBufferDelay: 0,
                    jitterBufferEmittedCount: 0, codec: null },
    inboundAudio: { packetsReceived: 0, packetsLost: 0, bytesReceived: 0, concealedSamples: 0,
                    totalSamplesReceived: 0, jitterBufferDelay: 0, jitterBufferEmittedCount: 0, codec: null },
    outboundVideo: { packetsSent: 0, bytesSent: 0, framesEncoded: 0, frameWidth: 0, frameHeight: 0, codec: null },
    outboundAudio: { packetsSent: 0, bytesSent: 0, codec: null },
  };
  const codecName = (s) => { const codec = s.codecId && report.get(s.codecId); return codec ? codec.mimeType : null; };
  const add = (into, s, keys) => { for (const k of keys) into[k] += s[k] ?? 0; };
  report.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      const v = out.inboundVideo;
      if ((s.framesDecoded ?? 0) >= v.framesDecoded) {
        v.frameWidth = s.frameWidth ?? v.frameWidth;
        v.frameHeight = s.frameHeight ?? v.frameHeight;
        v.codec = codecName(s) ?? v.codec;
      }
      add(v, s, ["framesDecoded", "packetsReceived", "packetsLost", "bytesReceived", "freezeCount",
                 "totalFreezesDuration", "jitterBufferDelay", "jitterBufferEmittedCount"]);
    } else if (s.type === "inbound-rtp" && s.kind === "audio") {
      const a = out.inboundAudio;
      add(a, s, ["packetsReceived", "packetsLost", "bytesReceived", "concealedSamples", "totalSamplesReceived",
                 "jitterBufferDelay", "jitterBufferEmittedCount"]);
      a.codec = codecName(s) ?? a.codec;
    } else if (s.type === "outbound-rtp") {
      const o = s.kind === "video" ? out.outboundVideo : out.outboundAudio;
      add(o, s, ["packetsSent", "bytesSent"]);
      o.codec = codecName(s) ?? o.codec;
      if (s.kind === "video") {
        o.framesEncoded += s.framesEncoded ?? 0;
        o.frameWidth = s.frameWidth ?? o.frameWidth;
        o.frameHeight = s.frameHeight ?? o.frameHeight;
      }
    }
  });
  return out;
}
