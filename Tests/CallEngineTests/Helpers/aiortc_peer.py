#!/usr/bin/env python3
"""An aiortc peer for tuicall's interop tests, driven by JSON lines on stdin/stdout.

Usage: aiortc_peer.py offer|answer [audio|media]
  audio (default): sends silence as Opus only (transport tests: real SRTP towards tuicall);
  media: also sends aiortc's 640x480 test VideoStreamTrack as VP8 and counts the frames it decodes.

stdin  : {"type":"offer"|"answer","sdp":...}
         {"type":"candidate","candidate":"candidate:..." or "","sdpMid":"0","sdpMLineIndex":0}
         {"type":"stats"} -> {"type":"stats","packetsReceived":N,"packetsSent":N,
                              "videoFrames":N,"audioFrames":N,"width":W,"height":H}
         {"type":"bye"}
stdout : {"type":"offer"|"answer","sdp":...}   (candidates are inside the SDP: aiortc does not trickle)
         {"type":"state","state":"connected"|...}
         {"type":"error","message":...}

Loopback only: aioice leaves out 127.0.0.1 when it lists interfaces, so the list is replaced by
127.0.0.1 alone; no STUN server is configured (aiortc would otherwise use a public one).
"""
import asyncio
import json
import sys

import aioice.ice

aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=True: ["127.0.0.1"]

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack  # noqa: E402
from aiortc.sdp import candidate_from_sdp  # noqa: E402

counts = {"video": 0, "audio": 0, "width": 0, "height": 0}


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def packet_counts(pc):
    received = sent = 0
    report = await pc.getStats()
    for stat in report.values():
        if stat.type == "inbound-rtp":
            received += stat.packetsReceived
        elif stat.type == "outbound-rtp":
            sent += stat.packetsSent
    return received, sent


async def consume(track):
    while True:
        try:
            frame = await track.recv()
        except Exception:
            return
        counts[track.kind] += 1
        if track.kind == "video":
            counts["width"], counts["height"] = frame.width, frame.height


async def main(role, media):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(AudioStreamTrack())
    if media:
        pc.addTrack(VideoStreamTrack())

        @pc.on("track")
        def on_track(track):
            asyncio.ensure_future(consume(track))

    @pc.on("connectionstatechange")
    async def on_state():
        emit({"type": "state", "state": pc.connectionState})

    if role == "offer":
        await pc.setLocalDescription(await pc.createOffer())
        emit({"type": pc.localDescription.type, "sdp": pc.localDescription.sdp})

    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        message = json.loads(line)
        kind = message.get("type")
        try:
            if kind in ("offer", "answer"):
                await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type=kind))
                if kind == "offer":
                    await pc.setLocalDescription(await pc.createAnswer())
                    emit({"type": pc.localDescription.type, "sdp": pc.localDescription.sdp})
            elif kind == "candidate":
                text = message.get("candidate") or ""
                if not text:
                    await pc.addIceCandidate(None)
                else:
                    candidate = candidate_from_sdp(text.split(":", 1)[1])
                    candidate.sdpMid = message.get("sdpMid")
                    candidate.sdpMLineIndex = message.get("sdpMLineIndex")
                    await pc.addIceCandidate(candidate)
            elif kind == "stats":
                received, sent = await packet_counts(pc)
                emit({"type": "stats", "packetsReceived": received, "packetsSent": sent,
                      "videoFrames": counts["video"], "audioFrames": counts["audio"],
                      "width": counts["width"], "height": counts["height"]})
            elif kind == "bye":
                break
        except Exception as error:  # report, keep serving: the test decides
            emit({"type": "error", "message": f"{kind}: {error!r}"})
    await pc.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0] if args else "answer", len(args) > 1 and args[1] == "media"))
