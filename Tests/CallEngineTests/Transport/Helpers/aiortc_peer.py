#!/usr/bin/env python3
"""An aiortc peer for tuicall interop tests, driven by JSON lines on stdin/stdout.

Usage: aiortc_peer.py offer|answer

stdin  : {"type":"offer"|"answer","sdp":...}
         {"type":"candidate","candidate":"candidate:..." or "","sdpMid":"0","sdpMLineIndex":0}
         {"type":"stats"}   -> replies {"type":"stats","packetsReceived":N,"packetsSent":N}
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
from aiortc.mediastreams import AudioStreamTrack  # noqa: E402
from aiortc.sdp import candidate_from_sdp  # noqa: E402


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def stats_of(pc):
    received = sent = 0
    report = await pc.getStats()
    for stat in report.values():
        if stat.type == "inbound-rtp":
            received += stat.packetsReceived
        elif stat.type == "outbound-rtp":
            sent += stat.packetsSent
    return received, sent


async def main(role):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(AudioStreamTrack())  # silence, Opus-encoded: real SRTP towards tuicall

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
                received, sent = await stats_of(pc)
                emit({"type": "stats", "packetsReceived": received, "packetsSent": sent})
            elif kind == "bye":
                break
        except Exception as error:  # report, keep serving: the test decides
            emit({"type": "error", "message": f"{kind}: {error!r}"})
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "answer"))
