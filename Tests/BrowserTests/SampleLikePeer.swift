import BrowserDriver

/// JavaScript for a peer that behaves on the wire like MDN's "webrtc-from-chat" browser sample, as
/// recorded in the project's protocol notes (signaling-protocol.md), written from that description: as callee it answers
/// the offered m-lines recvonly, then re-offers with its own camera on NEW m-lines (4 in all); its
/// hang-up has `target: null`. Evaluating it defines `window.sample` in the page:
/// `sample.ready` (logged in), `sample.call(name)`, `sample.hangUp()`, `sample.stats()`,
/// `sample.state` and `sample.mids()`.
func sampleLikePeerScript(name: String) -> String {
    """
    (() => {
      const me = \(jsString(name));
      const ws = new WebSocket('ws://' + location.host + '/', 'json');
      const send = (m) => ws.send(JSON.stringify(m));
      const s = { state: 'idle', peer: null, pc: null, log: [] };
      let media = null;
      let described = null;  // resolves once the remote description is set (candidates wait for it)
      const getMedia = async () => media ??= await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      function newPC(peer) {
        s.peer = peer;
        const pc = s.pc = new RTCPeerConnection();
        let setDescribed;
        described = new Promise((r) => { setDescribed = r; });
        pc.setDescribed = setDescribed;
        pc.onicecandidate = (e) => { if (e.candidate) send({ type: 'new-ice-candidate', target: s.peer, candidate: e.candidate }); };
        pc.onnegotiationneeded = async () => {
          await pc.setLocalDescription(await pc.createOffer());
          send({ type: 'video-offer', name: me, target: s.peer, sdp: pc.localDescription });
          s.log.push('offer sent');
        };
        pc.onconnectionstatechange = () => { if (pc.connectionState === 'connected') s.state = 'in-call'; };
        return pc;
      }
      ws.onmessage = async (e) => {
        const m = JSON.parse(e.data);
        s.log.push('got ' + m.type);
        if (m.type === 'id') send({ type: 'username', name: me, id: m.id, date: Date.now() });
        else if (m.type === 'userlist' && m.users.includes(me)) s.loggedIn?.();
        else if (m.type === 'video-offer' && !s.pc) {
          // The sample's callee: no ringing, tracks on new transceivers after the offer.
          const pc = newPC(m.name);
          await pc.setRemoteDescription(m.sdp);
          pc.setDescribed();
          const stream = await getMedia();
          for (const t of stream.getTracks()) pc.addTransceiver(t, { streams: [stream] });
          await pc.setLocalDescription(await pc.createAnswer());
          send({ type: 'video-answer', name: me, target: s.peer, sdp: pc.localDescription });
        } else if (m.type === 'video-offer' && s.pc) {
          await s.pc.setRemoteDescription(m.sdp);
          await s.pc.setLocalDescription(await s.pc.createAnswer());
          send({ type: 'video-answer', name: me, target: s.peer, sdp: s.pc.localDescription });
        } else if (m.type === 'video-answer' && s.pc) {
          await s.pc.setRemoteDescription(m.sdp);
          s.pc.setDescribed();
        } else if (m.type === 'new-ice-candidate' && s.pc) {
          const pc = s.pc;
          await described;
          await pc.addIceCandidate(m.candidate).catch((err) => s.log.push('candidate: ' + err.message));
        } else if (m.type === 'hang-up' && s.pc) {
          // The sample closes on any hang-up.
          s.pc.close(); s.pc = null; s.state = 'idle';
        }
      };
      s.ready = new Promise((r) => { s.loggedIn = r; });
      s.call = async (target) => {
        const pc = newPC(target);
        const stream = await getMedia();
        for (const t of stream.getTracks()) pc.addTransceiver(t, { streams: [stream] });
      };
      s.hangUp = () => {
        // The sample clears its target before sending: the server broadcasts this.
        send({ type: 'hang-up', name: me, target: null });
        s.pc?.close(); s.pc = null; s.state = 'idle';
      };
      s.mids = () => s.pc ? s.pc.getTransceivers().map((t) => t.mid) : [];
      s.stats = async () => {
        const out = { framesDecoded: 0, audioPacketsReceived: 0 };
        if (!s.pc) return out;
        (await s.pc.getStats()).forEach((r) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') out.framesDecoded += r.framesDecoded ?? 0;
          if (r.type === 'inbound-rtp' && r.kind === 'audio') out.audioPacketsReceived += r.packetsReceived ?? 0;
        });
        return out;
      };
      window.sample = s;
      return true;
    })()
    """
}
