// tuicall web client, a lost media path: the call restarts ICE (new credentials, a new offer) instead of
// ending, as the terminal client does, and ends only when no path comes back for RESTART_GIVE_UP_MS.

/// How long "disconnected" may last before we restart ICE (Chromium reports it after ~2.5 s without
/// consent replies). 3 s.
export const RESTART_AFTER_DISCONNECTED_MS = 3000;
/// How often an unanswered restart offer goes out again (the peer or the server may have been away). 5 s.
export const RESTART_REOFFER_MS = 5000;
/// How long the path may stay lost before the call ends (browsers' own "failed" takes about as long). 30 s.
export const RESTART_GIVE_UP_MS = 30000;

/// `env`: { app, send, log, setStatus, note, descriptionJSON, isCurrent(c), endCall(reason, notifyPeer) }.
export function createPathRecovery(env) {
  const { app, send, log, setStatus, note, descriptionJSON, isCurrent, endCall } = env;

  /// The path to `c.peer` is gone ("disconnected", or "failed" after it once connected): restart ICE
  /// after `restartAfterMs`, offer again while unanswered, give up after RESTART_GIVE_UP_MS.
  function lost(c, restartAfterMs = RESTART_AFTER_DISCONNECTED_MS) {
    if (!isCurrent(c)) return;
    if (!c.lost) {
      c.lost = { since: performance.now(), timers: [], reoffer: setInterval(() => reofferIfUnanswered(c), RESTART_REOFFER_MS) };
      setStatus(`Connection to ${c.peer} interrupted; reconnecting…`);
      note(`The media path to ${c.peer} was lost; reconnecting…`);
      c.lost.timers.push(setTimeout(() => {
        if (isCurrent(c) && c.lost) {
          endCall(`No media path to ${c.peer} for ${RESTART_GIVE_UP_MS / 1000} s (ICE restarts did not reconnect).`, true);
        }
      }, RESTART_GIVE_UP_MS));
    }
    c.lost.timers.push(setTimeout(() => {
      if (isCurrent(c) && c.lost && c.pc.connectionState !== "connected") restart(c);
    }, restartAfterMs));
  }

  /// `pc.restartIce()` makes the next offer carry new credentials; negotiationneeded sends it when stable.
  function restart(c) {
    if (!isCurrent(c) || !c.pc) return;
    log(`restarting ICE toward ${c.peer}`);
    c.iceRestarts = (c.iceRestarts ?? 0) + 1;
    c.pc.restartIce();
  }

  function reofferIfUnanswered(c) {
    if (!isCurrent(c) || !c.lost || c.pc.signalingState !== "have-local-offer") return;
    log(`restart offer to ${c.peer} not answered yet: sending it again`);
    send({ type: "video-offer", name: app.me, target: c.peer, sdp: descriptionJSON(c.pc.localDescription) });
  }

  /// Connected again: stop the timers and say how long it took.
  function back(c) {
    if (!c.lost) return;
    const seconds = ((performance.now() - c.lost.since) / 1000).toFixed(1);
    clear(c);
    note(`The media path to ${c.peer} is back after ${seconds} s.`);
  }

  function clear(c) {
    if (!c.lost) return;
    c.lost.timers.forEach(clearTimeout);
    clearInterval(c.lost.reoffer);
    c.lost = null;
  }

  return { lost, back, restart, clear };
}
