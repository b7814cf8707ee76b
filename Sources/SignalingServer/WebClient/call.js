// tuicall web client, the call: camera and microphone, one RTCPeerConnection, and the call's
// messages (video-offer, video-answer, new-ice-candidate, hang-up). app.js owns the page, the
// server connection and the chat, and hands this module what it needs in `env`.
import { createPathRecovery } from "./restart.js";
import { callStats, watchFrames } from "./stats.js";

/// The call controller: at most one call at a time.
export function createCalls(env) {
  const { app, $, send, log, setState, setStatus, render, serially, errorText, iceServers, iceTransportPolicy } = env;
  const recovery = createPathRecovery({ app, send, log, setStatus, note: env.note, descriptionJSON,
                                        isCurrent: (c) => call === c, endCall });
  /// The one call in progress: { peer, direction, pc, stream, remoteStream, offer, pendingCandidates, ... }.
  let call = null;
  /// How long a call rings (either way) before it ends unanswered, as tuicall's terminal client. 45 s.
  const RING_TIMEOUT_MS = 45000;
  /// What our microphone and camera do (kept across calls), and what the peer said of theirs.
  const local = { muted: false, cameraOff: false };
  let ringer = null;

  // ---------- local media ----------

  const MEDIA_ERRORS = {
    NotAllowedError: "Camera and microphone access was denied.",
    NotFoundError: "No camera or microphone was found.",
    NotReadableError: "The camera or microphone is in use by another program.",
    OverconstrainedError: "The camera cannot deliver the requested format.",
    SecurityError: "Camera access is blocked on this page.",
  };

  /// Camera and microphone, or whichever of them works; null (and call.mediaError) if neither.
  async function getLocalMedia(c) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      c.mediaError = "This page cannot use a camera: browsers allow it only over https or on http://localhost.";
      return null;
    }
    let firstError = null;
    for (const constraints of [{ audio: true, video: true }, { video: true }, { audio: true }]) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        if (call !== c) { stopStream(stream); return null; }
        if (firstError) setStatus(`${MEDIA_ERRORS[firstError.name] ?? firstError.message} Using ${constraints.audio ? "microphone" : "camera"} only.`);
        return stream;
      } catch (err) {
        firstError ??= err;
        if (err.name === "NotAllowedError" || err.name === "SecurityError") break;
      }
    }
    c.mediaError = MEDIA_ERRORS[firstError.name] ?? `Cannot open camera or microphone: ${firstError.name}: ${firstError.message}`;
    return null;
  }

  function stopStream(stream) {
    if (stream) for (const t of stream.getTracks()) t.stop();
  }

  /// Shows the media problem and waits for the user: true = go on receive-only, false = give up.
  function askReceiveOnly(c) {
    setStatus(c.mediaError);
    $("media-error-text").textContent = `${c.mediaError} You can still ${c.direction === "outgoing" ? "call" : "answer"} and see and hear ${c.peer} without sending your own video and sound.`;
    return new Promise((resolve) => { c.choose = resolve; render(); });
  }

  function chooseReceiveOnly(yes) {
    if (!call || !call.choose) throw new Error("no camera problem is waiting for an answer");
    const choose = call.choose;
    call.choose = null;
    choose(yes);
  }

  // ---------- the call ----------

  function newCall(peer, direction) {
    call = { peer, direction, pc: null, stream: null, remoteStream: new MediaStream(), offer: null,
             pendingCandidates: [], mediaError: null, choose: null, answered: false,
             peerMuted: false, peerCameraOff: false };
    app.endReason = null;
    const c = call;
    // Unanswered calls end: the caller hears "did not answer", the callee keeps a "missed call" line.
    c.ringTimer = setTimeout(() => {
      if (call !== c || c.answered || app.state === "in-call") return;
      send({ type: "hang-up", name: app.me, target: c.peer, reason: "no-answer" });
      if (c.direction === "outgoing") endCall(`${c.peer} did not answer.`, false);
      else endCall(`Missed call from ${c.peer}.`, false);
    }, RING_TIMEOUT_MS);
    return call;
  }

  function createPeerConnection(c) {
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    pc.onicecandidate = (e) => {
      // Trickle: every candidate goes out as found; no end-of-candidates marker (as the protocol).
      if (call === c && e.candidate) send({ type: "new-ice-candidate", target: c.peer, candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      if (call !== c) return;
      // Newest track of a kind wins: a peer that re-offers (the browser sample adds its camera
      // on new m-lines) must not leave the video element on a track that carries nothing.
      for (const old of c.remoteStream.getTracks()) if (old.kind === e.track.kind) c.remoteStream.removeTrack(old);
      c.remoteStream.addTrack(e.track);
      const video = $("remote-video");
      if (video.srcObject !== c.remoteStream) video.srcObject = c.remoteStream;
      if (e.track.kind === "video") watchFirstFrame(c, video);
      video.play().catch(() => setStatus("Click the video to start playback."));
    };
    pc.onnegotiationneeded = async () => {
      // Fires for the caller once its transceivers exist, and for either side after restartIce();
      // the callee otherwise answers on the offered m-lines and never needs to re-offer.
      if (call !== c || pc.signalingState !== "stable") return;
      try {
        await pc.setLocalDescription();
        if (call !== c) return;
        send({ type: "video-offer", name: app.me, target: c.peer, sdp: descriptionJSON(pc.localDescription) });
        app.timings.offerSent ??= performance.now();
      } catch (err) {
        endCall(`Could not start the call: ${errorText(err)}`, true);
      }
    };
    pc.onconnectionstatechange = () => {
      if (call !== c) return;
      log(`connection: ${pc.connectionState}`);
      if (pc.connectionState === "connected") {
        app.timings.connected ??= performance.now();
        c.everConnected = true;
        setState("in-call");
        setStatus(`In a call with ${c.peer}.`);
        applyLocalState(c);
        recovery.back(c);
      } else if (pc.connectionState === "failed") {
        if (c.everConnected) recovery.lost(c, 0);
        else endCall(`The connection to ${c.peer} failed (no network path; a TURN server may be needed).`, true);
      } else if (pc.connectionState === "disconnected") {
        recovery.lost(c);
      }
    };
    pc.oniceconnectionstatechange = () => {
      if (call === c && pc.iceConnectionState === "connected") app.timings.iceConnected ??= performance.now();
      if (call === c && pc.iceConnectionState === "failed" && !c.everConnected) {
        endCall(`The connection to ${c.peer} failed (ICE).`, true);
      }
    };
    return pc;
  }

  function descriptionJSON(d) {
    return { type: d.type, sdp: d.sdp };
  }

  function watchFirstFrame(c, video) {
    const mark = () => { if (call === c) app.timings.firstFrame ??= performance.now(); };
    if (video.requestVideoFrameCallback) watchFrames(c, video, mark, () => call === c);
    else video.addEventListener("playing", mark, { once: true });
  }

  function showLocal(stream) {
    $("local-video").srcObject = stream;
    applyLocalState(call);
  }

  async function startCall(name, options = {}) {
    name = String(name ?? "");
    if (app.state === "logged-out") throw new Error("Log in before calling.");
    if (call) throw new Error(`Already in a call with ${call.peer}; hang up first.`);
    if (name === app.me) throw new Error("You cannot call yourself.");
    if (!app.users.includes(name)) throw new Error(`${name} is not online.`);
    const c = newCall(name, "outgoing");
    app.timings = { callStart: performance.now() };
    setState("calling");
    setStatus(`Calling ${name}…`);
    let stream = null;
    if (!options.receiveOnly) {
      stream = await getLocalMedia(c);
      if (call !== c) { stopStream(stream); return; }
      if (!stream && !(await askReceiveOnly(c))) {
        if (call === c) endCall("Call cancelled.", false);
        return;
      }
      if (call !== c) { stopStream(stream); return; }
    }
    app.timings.mediaReady ??= performance.now();
    c.stream = stream;
    showLocal(stream);
    c.pc = createPeerConnection(c);
    // Audio first, then video (mids 0 and 1, as the browser sample). A kind we cannot send is
    // still received.
    for (const kind of ["audio", "video"]) {
      const track = stream && stream.getTracks().find((t) => t.kind === kind);
      if (track) c.pc.addTransceiver(track, { direction: "sendrecv", streams: [stream] });
      else c.pc.addTransceiver(kind, { direction: "recvonly" });
    }
    render();
  }

  async function onOffer(m) {
    const from = m.name;
    if (typeof from !== "string" || !m.sdp) return;
    if (call && call.peer === from) {
      const c = call;
      if (c.direction === "incoming" && !c.pc) { c.offer = m.sdp; return; }  // repeated while ringing
      const established = c.direction === "incoming" || c.answered;
      if (established && c.pc && c.pc.signalingState === "stable") return renegotiate(c, m.sdp);
      if (established && c.pc && c.pc.signalingState === "have-local-offer") {
        // Both re-offered at once (say, both restarting ICE): the callee gives way, the caller's offer wins.
        if (c.direction !== "incoming") { log(`re-offers crossed: ${from} takes our offer`); return; }
        log(`re-offers crossed: answering ${from}'s`);
        await c.pc.setLocalDescription({ type: "rollback" });
        if (call !== c) return;
        return renegotiate(c, m.sdp);
      }
      // Both called each other at once: the smaller name gives way and takes the other's call.
      if (app.me < from) {
        log(`both called at once: taking ${from}'s call`);
        call = null;
        if (c.pc) c.pc.close();
        stopStream(c.stream);
        if (c.choose) c.choose(false);
        return ring(from, m.sdp);
      }
      log(`both called at once: ${from} will take our call`);
      return;
    }
    if (call) {
      // Busy: tell the caller, who ends its attempt (the hang-up names us and targets only them).
      send({ type: "hang-up", name: app.me, target: from, reason: "busy" });
      log(`busy: refused a call from ${from}`);
      env.note(`Missed call from ${from} (you were in a call; they were told you are busy).`);
      return;
    }
    ring(from, m.sdp);
  }

  function ring(from, sdp) {
    const c = newCall(from, "incoming");
    c.offer = sdp;
    app.timings = { ringStart: performance.now() };
    setState("ringing");
    setStatus(`${from} is calling you.`);
    $("incoming-text").textContent = `${from} is calling you.`;
    startRinging(from);
    render();
  }

  /// A ring tone (WebAudio: two short tones every 2 s) and the tab's title, until the call is answered or over.
  function startRinging(from) {
    stopRinging();
    const title = document.title;
    document.title = `☎ ${from} is calling – tuicall`;
    let ctx = null;
    try { ctx = new (window.AudioContext || window.webkitAudioContext)(); } catch { ctx = null; }
    const beep = () => {
      if (!ctx) return;
      for (const [freq, at] of [[440, 0], [480, 0.45]]) {
        const osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.value = 0.08;
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.35);
      }
      app.rings = (app.rings ?? 0) + 1;
    };
    beep();
    ringer = { title, ctx, timer: setInterval(beep, 2000) };
  }

  function stopRinging() {
    if (!ringer) return;
    clearInterval(ringer.timer);
    if (ringer.ctx) ringer.ctx.close().catch(() => {});
    document.title = ringer.title;
    ringer = null;
  }

  // ---------- mute and camera, both sides ----------

  /// Applies our mute and camera state to the call's tracks and tells the peer (a `media-state`
  /// message, as tuicall's terminal client sends; the MDN page ignores it).
  function applyLocalState(c) {
    if (!c) return;
    if (c.stream) {
      for (const t of c.stream.getAudioTracks()) t.enabled = !local.muted;
      for (const t of c.stream.getVideoTracks()) t.enabled = !local.cameraOff;
    }
    if (c.pc && (local.muted || local.cameraOff || c.sentState)) {
      c.sentState = true;
      send({ type: "media-state", name: app.me, target: c.peer, audio: local.muted ? "muted" : "on",
             video: local.cameraOff ? "off" : "on" });
    }
    render();
  }

  function setMuted(muted) { local.muted = !!muted; applyLocalState(call); render(); }
  function setCameraOff(off) { local.cameraOff = !!off; applyLocalState(call); render(); }

  function onMediaState(m) {
    const c = call;
    if (!c || m.name !== c.peer) return;
    c.peerMuted = m.audio === "muted";
    c.peerCameraOff = m.video === "off";
    render();
  }

  /// An offer from the current peer on an established connection (for example the browser
  /// sample's re-offer that adds its camera): answer it in place.
  async function renegotiate(c, sdp) {
    await c.pc.setRemoteDescription(sdp);
    if (call !== c) return;
    await c.pc.setLocalDescription();
    if (call !== c) return;
    send({ type: "video-answer", name: app.me, target: c.peer, sdp: descriptionJSON(c.pc.localDescription) });
    await flushCandidates(c);
  }

  async function accept(options = {}) {
    const c = call;
    if (!c || app.state !== "ringing") throw new Error("There is no incoming call to accept.");
    app.timings.acceptStart = performance.now();
    setState("answering");
    setStatus(`Answering ${c.peer}…`);
    let stream = null;
    if (!options.receiveOnly) {
      stream = await getLocalMedia(c);
      if (call !== c) { stopStream(stream); return; }
      if (!stream && !(await askReceiveOnly(c))) {
        if (call === c) endCall(`Declined the call from ${c.peer}.`, true);
        return;
      }
      if (call !== c) { stopStream(stream); return; }
    }
    app.timings.mediaReady ??= performance.now();
    c.stream = stream;
    showLocal(stream);
    try {
      await serially(() => answer(c, stream));
    } catch (err) {
      if (call === c) endCall(`Could not answer: ${errorText(err)}`, true);
      throw err;
    }
  }

  async function answer(c, stream) {
    if (call !== c) return;
    c.pc = createPeerConnection(c);
    await c.pc.setRemoteDescription(c.offer);
    if (call !== c) return;
    // Send on the offered m-lines: the answer is sendrecv there, so no re-offer is needed.
    const unused = stream ? stream.getTracks() : [];
    for (const t of c.pc.getTransceivers()) {
      const i = unused.findIndex((track) => track.kind === t.receiver.track.kind);
      if (i < 0) continue;
      const [track] = unused.splice(i, 1);
      await t.sender.replaceTrack(track);
      t.sender.setStreams(stream);
      t.direction = "sendrecv";
    }
    for (const track of unused) log(`the offer has no ${track.kind} m-line; not sending ${track.kind}`);
    await c.pc.setLocalDescription();
    if (call !== c) return;
    c.answered = true;
    stopRinging();
    send({ type: "video-answer", name: app.me, target: c.peer, sdp: descriptionJSON(c.pc.localDescription) });
    app.timings.answerSent ??= performance.now();
    await flushCandidates(c);
  }

  async function onAnswer(m) {
    const c = call;
    if (!c || !c.pc || m.name !== c.peer || !m.sdp) return;
    if (c.pc.signalingState !== "have-local-offer") { log("ignored an answer we did not ask for"); return; }
    await c.pc.setRemoteDescription(m.sdp);
    if (call !== c) return;
    if (!c.answered) setStatus(`${c.peer} answered; connecting…`);  // not for re-offers' answers
    c.answered = true;
    app.timings.answerReceived ??= performance.now();
    await flushCandidates(c);
  }

  async function onCandidate(m) {
    const c = call;
    if (!c || !m.candidate || (m.name !== undefined && m.name !== c.peer)) return;
    // Candidates may arrive before the description they belong to (ringing, answer in flight).
    if (!c.pc || !c.pc.remoteDescription) { c.pendingCandidates.push(m.candidate); return; }
    await addCandidate(c, m.candidate);
  }

  async function flushCandidates(c) {
    const queued = c.pendingCandidates;
    c.pendingCandidates = [];
    for (const candidate of queued) await addCandidate(c, candidate);
  }

  async function addCandidate(c, candidate) {
    try { await c.pc.addIceCandidate(candidate); }
    catch (err) { log(`ignored a bad ICE candidate: ${errorText(err)}`); }
  }

  function onHangUp(m) {
    // The browser sample broadcasts its hang-up (target null): only our peer's ends our call.
    if (!call || (m.name !== undefined && m.name !== null && m.name !== call.peer)) return;
    const c = call;
    if (c.direction === "outgoing" && !c.answered) {
      if (m.reason === "busy") endCall(`${c.peer} is in another call.`, false);
      else if (m.reason === "no-answer") endCall(`${c.peer} did not answer.`, false);
      else endCall(`${c.peer} declined the call.`, false);
    } else if (app.state === "ringing") endCall(`Missed call from ${c.peer}.`, false);
    else endCall(`${c.peer} hung up.`, false);
  }

  function decline() {
    if (!call || app.state !== "ringing") throw new Error("There is no incoming call to decline.");
    endCall(`You declined the call from ${call.peer}.`, true);
  }

  function hangUp() {
    if (!call) throw new Error("There is no call to hang up.");
    if (call.choose) { const choose = call.choose; call.choose = null; choose(false); }
    if (call) endCall(`Call with ${call.peer} ended: you hung up.`, true);
  }

  /// How long a peer off the user list may send nothing before its call ends (as the terminal client). 1.5 s.
  const PEER_LEFT_GRACE_MS = 1500;

  async function inboundBytes(c) {
    let n = 0;
    (await c.pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp") n += s.bytesReceived || 0; });
    return n;
  }

  /// The peer left the user list: end the call once its media stops, checked each grace period while the
  /// peer stays off the list (its last packets may still be arriving when the list changes).
  /// `stillAway()` says whether the peer is still off the list.
  async function endIfMediaStops(c, reason, stillAway) {
    if (c.leftCheck) return;
    c.leftCheck = true;
    let logged = false;
    const check = async () => {
      const before = await inboundBytes(c);
      setTimeout(async () => {
        if (call !== c) return;
        if (!stillAway()) { c.leftCheck = false; return; }
        if (await inboundBytes(c) === before) { c.leftCheck = false; endCall(reason, false); return; }
        if (!logged) log(`${c.peer} is off the user list but its media still arrives: the call goes on`);
        logged = true;
        check();
      }, PEER_LEFT_GRACE_MS);
    };
    check();
  }

  /// Closes the call; `notifyPeer` sends hang-up addressed to the peer only.
  function endCall(reason, notifyPeer) {
    const c = call;
    if (!c) return;
    call = null;
    clearTimeout(c.ringTimer);
    recovery.clear(c);
    stopRinging();
    if (notifyPeer) send({ type: "hang-up", name: app.me, target: c.peer });
    if (c.pc) {
      c.pc.onicecandidate = c.pc.ontrack = c.pc.onnegotiationneeded = null;
      c.pc.onconnectionstatechange = c.pc.oniceconnectionstatechange = null;
      c.pc.close();
    }
    stopStream(c.stream);
    if (c.choose) c.choose(false);
    $("remote-video").srcObject = null;
    $("local-video").srcObject = null;
    app.endReason = reason;
    // Ended while the server was away: we are not logged in (the reconnect logs in again).
    const away = app.serverAway;
    app.serverAway = false;
    setState(app.state === "logged-out" || away ? "logged-out" : "idle");
    setStatus(reason);
    env.note(reason);
    render();
  }

  // ---------- statistics (for people and tests) ----------

  async function stats() {
    return call && call.pc ? callStats(call) : null;
  }

  return {
    current: () => call,
    startCall, accept, decline, hangUp, endCall, endIfMediaStops, chooseReceiveOnly, stats,
    restartIce: () => { if (!call || !call.pc) throw new Error("There is no call to restart."); recovery.restart(call); },
    onOffer, onAnswer, onCandidate, onHangUp, onMediaState, setMuted, setCameraOff,
    localState: () => ({ ...local }),
  };
}
