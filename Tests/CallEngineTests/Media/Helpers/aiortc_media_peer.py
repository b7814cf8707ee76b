#!/usr/bin/env python3
"""An aiortc peer sending and receiving real media (VP8 + Opus) for tuicall's media tests.

Usage: aiortc_media_peer.py offer|answer  (copy of Transport/Helpers/aiortc_peer.py's protocol, plus media)

stdin  : {"type":"offer"|"answer","sdp":...}
         {"type":"candidate","candidate":"candidate:..." or "","sdpMid":"0","sdpMLineIndex":0}
         {"type":"stats"} -> {"type":"stats","videoFrames":N,"audioFrames":N,"width":W,"height":H}
         {"type":"bye"}
stdout : {"type":"offer"|"answer","sdp":...}, {"type":"state","state":...}, {"type":"error","message":...}

Sends aiortc's own test tracks: a 640x480 green VideoStreamTrack and an AudioStreamTrack (silence).
Counts the frames it decodes from tuicall.
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


async def consume(track):
    while True:
        try:
            frame = await track.recv()
        except Exception:
            return
        counts[track.kind] += 1
        if track.kind == "video":
            counts["width"], counts["height"] = frame.width, frame.height


async def main(role):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())

    @pc.on("connectionstatechange")
    async def on_state():
        emit({"type": "state", "state": pc.connectionState})

    @pc.on("track")
    def on_track(track):
        asyncio.ensure_future(consume(track))

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
                emit({"type": "stats", "videoFrames": counts["video"], "audioFrames": counts["audio"],
                      "width": counts["width"], "height": counts["height"]})
            elif kind == "bye":
                break
        except Exception as error:  # report, keep serving: the test decides
            emit({"type": "error", "message": f"{kind}: {error!r}"})
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "answer"))
