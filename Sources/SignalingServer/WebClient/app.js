// tuicall web client: chat, user list and one WebRTC call at a time, over the chat-server protocol
// of MDN's "Signaling and video calling" guide (tuicall serve speaks it). No framework, no build step.
import { createCalls } from "./call.js";

(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);

  /// Longest chat history kept on the page.
  const MAX_CHAT_LINES = 500;
  /// Longest diagnostic log kept (window.tuicall.log).
  const MAX_LOG_LINES = 300;
  /// Default wait of window.tuicall.waitFor.
  const DEFAULT_WAIT_MS = 10000;

  // No ICE servers by default: host candidates connect on a LAN and on loopback.
  // ?ice=turn:host:3478&user=u&pass=p adds one (repeat ice= for more URLs of the same server).
  const iceServers = (() => {
    const urls = params.getAll("ice").filter(Boolean);
    if (urls.length === 0) return [];
    const server = { urls };
    if (params.has("user")) server.username = params.get("user");
    if (params.has("pass")) server.credential = params.get("pass");
    return [server];
  })();
  // ?policy=relay: relayed (TURN) candidates only, e.g. behind `tuicall bench network`.
  const iceTransportPolicy = params.get("policy") === "relay" ? "relay" : "all";

  // Same host and port as the page; wss when the page came over https.
  const wsURL = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/";

  const app = {
    connection: "connecting", // connecting | open | closed
    state: "logged-out",      // logged-out | idle | calling | ringing | answering | in-call
    me: null,
    users: [],
    /// Who the server says is in a call (tuicall servers send `userstatus`).
    busy: [],
    chat: [],
    status: "",
    endReason: null,
    /// In a call that goes on while the server is away (media is peer to peer).
    serverAway: false,
    timings: {},
    log: [],
  };
  let ws = null;
  let myId = null;
  let requestedName = null;
  // Servers started with --token-file want an access token with the login (?token= or the form's field).
  let accessToken = params.get("token") || sessionStorage.getItem("tuicall.token") || null;
  // Types only the server sends: one stamped with a sender's name was relayed from a user, not the server's.
  const SERVER_ONLY = new Set(["id", "userlist", "error", "userstatus", "history"]);
  let loginWaiter = null;
  // The server forgot our call (it restarted, or the peer reconnected): say `call-resume` once both are on.
  let resumeNeeded = false;
  const stateWaiters = new Set();
  /// Reconnection after the server goes away: 0.5 s doubling to 8 s, ±20%, and a login with the same name.
  const RECONNECT = { initialMs: 500, maxMs: 8000, jitter: 0.2 };
  let reconnectAttempts = 0;
  let reconnectTimer = null;
  /// The name we asked for when the server gave us another (to say so once we are in).
  let renamedFrom = null;

  // ---------- small helpers ----------

  function log(text) {
    app.log.push(`${Math.round(performance.now())} ${text}`);
    if (app.log.length > MAX_LOG_LINES) app.log.shift();
  }

  function setStatus(text) {
    app.status = text;
    $("status").textContent = text;
    log(`status: ${text}`);
  }

  function setState(state) {
    if (app.state === state) return;
    log(`state: ${app.state} -> ${state}`);
    app.state = state;
    for (const w of [...stateWaiters]) w();
    render();
  }

  function send(message) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      log(`not sent (no connection): ${message.type}`);
      return false;
    }
    ws.send(JSON.stringify(message));
    return true;
  }

  function errorText(err) {
    return err && err.message ? err.message : String(err);
  }

  // Messages are handled strictly one after another, including the awaits inside them: an answer
  // must be applied before a re-offer that follows it on the wire.
  let chain = Promise.resolve();
  function serially(work) {
    const result = chain.then(work);
    chain = result.catch((err) => log(`error: ${errorText(err)}`));
    return result;
  }

  const calls = createCalls({ app, $, send, log, setState, setStatus, render, serially, errorText, iceServers, iceTransportPolicy,
                              note: (text) => addChat({ system: true, text }) });
  const { startCall, accept, decline, hangUp, endCall, chooseReceiveOnly, stats } = calls;

  // ---------- server connection and login ----------

  function connect() {
    ws = new WebSocket(wsURL, "json");
    ws.onopen = () => {
      app.connection = "open";
      reconnectAttempts = 0;
      render();
      if (app.state === "logged-out" && requestedName === null) setStatus("Connected. Choose a name and log in.");
    };
    ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { log("server sent invalid JSON"); return; }
      if (!message || typeof message.type !== "string") return;
      serially(() => handleMessage(message));
    };
    ws.onclose = (event) => {
      app.connection = "closed";
      // A call with media does not need the server; one still being set up does.
      const c = calls.current();
      const keep = c && app.state === "in-call" && c.pc && c.pc.connectionState === "connected";
      const wasIn = app.state !== "logged-out";
      if (keep) {
        if (!app.serverAway) {
          addChat({ system: true, text: `The call with ${c.peer} goes on without the server (media is peer to peer); reconnecting…` });
        }
        app.serverAway = true;
        resumeNeeded = true;
      } else {
        endCall("Connection to the server lost", false);
        setState("logged-out");
      }
      if (loginWaiter) { loginWaiter.reject(new Error("Disconnected from the server")); loginWaiter = null; }
      // Back in with the same name once the server answers again.
      if (wasIn && app.me) requestedName = app.me;
      const base = Math.min(RECONNECT.maxMs, RECONNECT.initialMs * 2 ** reconnectAttempts);
      const delay = Math.round(base * (1 + (Math.random() * 2 - 1) * RECONNECT.jitter));
      reconnectAttempts++;
      setStatus(`Disconnected from the server (code ${event.code}${event.reason ? ": " + event.reason : ""}); `
                + `reconnecting in ${(delay / 1000).toFixed(1)} s…`);
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(() => { app.connection = "connecting"; connect(); }, delay);
      render();
    };
  }

  function login(name) {
    name = String(name ?? "").trim();
    if (!name) return Promise.reject(new Error("Enter a name first."));
    if (app.connection === "closed") return Promise.reject(new Error(app.status));
    if (loginWaiter) loginWaiter.reject(new Error("superseded by a new login"));
    requestedName = name;
    renamedFrom = null;
    app.me = name;
    setStatus(`Logging in as ${name}…`);
    const done = new Promise((resolve, reject) => { loginWaiter = { resolve, reject }; });
    if (myId !== null) sendLogin();
    return done;
  }

  function sendLogin() {
    const token = $("login-token").value || accessToken;
    const m = { type: "username", name: requestedName, date: Date.now(), id: myId };
    if (token) m.token = token;
    send(m);
  }

  async function handleMessage(m) {
    if (SERVER_ONLY.has(m.type) && m.name !== undefined) {
      log(`ignored ${m.type} relayed from ${m.name}`);
      return;
    }
    switch (m.type) {
      case "id":
        myId = m.id;
        if (requestedName !== null) {
          app.me = requestedName;
          if (!loginWaiter) setStatus(`Reconnected; logging in again as ${requestedName}…`);
          sendLogin();
        }
        break;
      case "rejectusername":
        // Only the answer to our own login renames us.
        if (!loginWaiter && app.state !== "logged-out" && !app.serverAway) { log("ignored rejectusername outside a login"); break; }
        // The name was taken; the server chose another and we adopt it.
        renamedFrom = requestedName;
        app.me = String(m.name);
        $("login-name").value = app.me;
        setStatus(`That name was taken; you are ${app.me}.`);
        break;
      case "userstatus":
        app.busy = Array.isArray(m.busy) ? m.busy.filter((u) => typeof u === "string") : [];
        render();
        break;
      case "history":
        if (Array.isArray(m.messages) && m.messages.length) {
          addChat({ system: true, text: `Earlier in this chat (${m.messages.length} lines before you joined):` });
          for (const h of m.messages) addChat({ ...h, history: true });
        }
        break;
      case "media-state":
        calls.onMediaState(m);
        break;
      case "call-resume":
        break;  // the peer told the server our call goes on; nothing for us to do
      case "userlist":
        onUserList(Array.isArray(m.users) ? m.users.filter((u) => typeof u === "string") : []);
        break;
      case "message":
        addChat(m);
        break;
      case "video-offer":
      case "video-answer":
        try {
          await (m.type === "video-offer" ? calls.onOffer(m) : calls.onAnswer(m));
        } catch (err) {
          // A description the browser refuses leaves no usable call: end it and tell the peer.
          if (calls.current()?.peer === m.name) endCall(`Call failed: ${errorText(err)}`, true);
          else log(`bad ${m.type} from ${m.name}: ${errorText(err)}`);
        }
        break;
      case "new-ice-candidate":
        await calls.onCandidate(m);
        break;
      case "hang-up":
        calls.onHangUp(m);
        break;
      case "error":
        onServerError(m);
        break;
      default:
        log(`ignored message type ${m.type}`);
    }
  }

  function onUserList(users) {
    app.users = users;
    if (app.state === "logged-out" && app.me !== null && users.includes(app.me)) {
      setState("idle");
      if (renamedFrom && renamedFrom !== app.me) {
        // Said where it stays: the status line changes, the chat keeps it.
        const text = `${renamedFrom} was taken (or looks like a name in use): you are ${app.me}.`;
        setStatus(`Logged in as ${app.me}. ${text}`);
        addChat({ system: true, text });
      } else {
        setStatus(`Logged in as ${app.me}.`);
      }
      requestedName = app.me;
      const token = $("login-token").value || accessToken;
      if (token) { accessToken = token; sessionStorage.setItem("tuicall.token", token); }
      document.title = `tuicall – ${app.me}`;
      if (loginWaiter) { loginWaiter.resolve(app.me); loginWaiter = null; }
    }
    const call = calls.current();
    if (app.serverAway && app.me !== null && users.includes(app.me)) {
      app.serverAway = false;
      if (call) {
        const text = `Back on the server; still in the call with ${call.peer}.`;
        setStatus(text);
        addChat({ system: true, text });
      }
    }
    if (call && !users.includes(call.peer)) {
      // Its media is the witness: a peer whose connection to the server dropped is still in the call.
      if (app.state === "in-call" && call.pc && call.pc.connectionState === "connected") {
        resumeNeeded = true;
        const peer = call.peer;
        calls.endIfMediaStops(call, `${peer} left`, () => !app.users.includes(peer));
      } else {
        endCall(`${call.peer} left`, false);
      }
    }
    if (resumeNeeded && call && app.state === "in-call" && !app.serverAway && users.includes(call.peer)) {
      resumeNeeded = false;
      send({ type: "call-resume", name: app.me, target: call.peer });
    }
    render();
  }

  function onServerError(m) {
    setStatus(`Server: ${m.text ?? m.code ?? "error"}`);
    if (m.code === "token-required" || m.code === "bad-token") {
      // Ask for the token next to the name; the next "Log in" sends it.
      $("token-field").hidden = false;
      $("login-token").focus();
      accessToken = null;
      sessionStorage.removeItem("tuicall.token");
      setStatus(m.code === "bad-token" ? "That access token is not valid: check it and log in again."
                                       : "This server needs an access token: enter it and log in.");
    }
    if ((m.code === "invalid-username" || m.code === "server-full" || m.code === "token-required"
         || m.code === "bad-token") && loginWaiter) {
      loginWaiter.reject(new Error(app.status));
      loginWaiter = null;
      app.me = null;
      requestedName = null;
    }
    // Our offer or answer went to someone who is gone.
    const call = calls.current();
    if (m.code === "unknown-target" && call && String(m.text ?? "").includes(`"${call.peer}"`)) {
      endCall(`${call.peer} is not online`, false);
    }
  }

  // ---------- chat ----------

  /// One chat line: a message (public, private with `target`, `/me`), a history line, or a system note.
  function addChat(m) {
    const entry = { name: String(m.name ?? "?"), text: String(m.text ?? ""), date: Number(m.date) || Date.now(),
                    kind: m.system ? "system" : m.history ? "history" : m.target ? "private" : "public" };
    app.chat.push(entry);
    if (app.chat.length > MAX_CHAT_LINES) app.chat.shift();
    const list = $("chat-log");
    const li = document.createElement("li");
    const time = document.createElement("time");
    const when = new Date(entry.date);
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const who = document.createElement("strong");
    const text = document.createElement("span");
    // never innerHTML: chat is untrusted
    if (entry.kind === "system") {
      text.textContent = entry.text;
      li.append(time, " ", text);
    } else if (entry.text.startsWith("/me ")) {
      text.textContent = `* ${entry.name} ${entry.text.slice(4)}`;
      li.append(time, " ", text);
      li.classList.add("action");
    } else {
      who.textContent = entry.kind === "private"
        ? (entry.name === app.me ? `you → ${m.target}` : `${entry.name} → you`) : entry.name;
      text.textContent = entry.text;
      li.append(time, " ", who, " ", text);
    }
    if (entry.kind !== "public") li.classList.add(entry.kind);
    if (entry.name === app.me) li.classList.add("mine");
    list.append(li);
    while (list.children.length > MAX_CHAT_LINES) list.firstChild.remove();
    // Follow the conversation unless the reader scrolled back to read (their own lines always show).
    if (chatPinned || entry.name === app.me) scrollChatToEnd();
  }

  /// Whether the chat shows its newest line: kept so while new lines arrive and the window changes size.
  let chatPinned = true;
  /// Where our own last scroll put the chat: its (asynchronous) scroll event is not the reader's.
  let autoScrollTop = -1;
  function scrollChatToEnd() {
    const log = $("chat-log");
    log.scrollTop = log.scrollHeight;
    autoScrollTop = log.scrollTop;
    chatPinned = true;
  }

  /// Sends a line; `/msg NAME text` goes to NAME only (and shows here, marked private).
  function sendChat(text) {
    text = String(text ?? "");
    if (!text.trim()) return false;
    if (app.state === "logged-out") throw new Error("Log in before chatting.");
    const priv = /^\/msg\s+(\S+)\s+([\s\S]+)$/.exec(text);
    if (priv) {
      const [, target, body] = priv;
      if (!app.users.includes(target)) throw new Error(`${target} is not online.`);
      const ok = send({ type: "message", text: body, target, id: myId, date: Date.now() });
      if (ok) addChat({ name: app.me, text: body, target, date: Date.now() });
      return ok;
    }
    return send({ type: "message", text, id: myId, date: Date.now() });
  }

  // ---------- rendering and user input ----------

  function render() {
    const loggedIn = app.state !== "logged-out";
    $("login").hidden = loggedIn;
    $("app").hidden = !loggedIn;
    $("login-button").disabled = app.connection !== "open";
    const call = calls.current();
    const peer = call ? call.peer : null;

    const list = $("users");
    list.replaceChildren(...app.users.map((name) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.name = name;
      button.textContent = name;
      if (name === app.me) { li.classList.add("me"); button.disabled = true; button.append(" (you)"); }
      if (name === peer) { li.classList.add("peer"); button.append(app.state === "in-call" ? " (in call)" : ` (${app.state})`); }
      else if (app.busy.includes(name) && name !== app.me) { li.classList.add("busy"); button.append(" (in a call)"); }
      button.disabled ||= call !== null;
      li.append(button);
      return li;
    }));

    $("incoming").hidden = app.state !== "ringing";
    $("media-error").hidden = !(call && call.choose);
    $("hangup-button").disabled = !call || app.state === "ringing";
    $("hangup-button").hidden = app.state === "ringing";
    const localState = calls.localState();
    $("mute-button").disabled = !call || app.state === "ringing";
    $("mute-button").textContent = localState.muted ? "Unmute" : "Mute";
    $("mute-button").classList.toggle("off", localState.muted);
    $("camera-button").disabled = !call || app.state === "ringing";
    $("camera-button").textContent = localState.cameraOff ? "Camera on" : "Camera off";
    $("camera-button").classList.toggle("off", localState.cameraOff);
    const peerText = call && app.state === "in-call"
      ? [call.peerCameraOff ? `${call.peer}'s camera is off` : null, call.peerMuted ? `${call.peer} is muted` : null]
          .filter(Boolean).join(" · ") : "";
    $("peer-state").textContent = peerText;
    $("peer-state").hidden = !peerText;
    $("chat-input").disabled = !loggedIn;
    document.body.dataset.state = app.state;
  }

  function reportError(err) {
    setStatus(errorText(err));
  }

  $("chat-log").addEventListener("scroll", (e) => {
    const log = e.currentTarget;
    if (Math.abs(log.scrollTop - autoScrollTop) < 2) return;
    chatPinned = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  });
  new ResizeObserver(() => { if (chatPinned) scrollChatToEnd(); }).observe($("chat-log"));
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    login($("login-name").value).catch(reportError);
  });
  $("users").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-name]");
    if (button && !button.disabled) startCall(button.dataset.name).catch(reportError);
  });
  $("accept-button").addEventListener("click", () => accept().catch(reportError));
  $("decline-button").addEventListener("click", () => { try { decline(); } catch (err) { reportError(err); } });
  $("hangup-button").addEventListener("click", () => { try { hangUp(); } catch (err) { reportError(err); } });
  $("mute-button").addEventListener("click", () => calls.setMuted(!calls.localState().muted));
  $("camera-button").addEventListener("click", () => calls.setCameraOff(!calls.localState().cameraOff));
  $("receive-only-button").addEventListener("click", () => chooseReceiveOnly(true));
  $("media-cancel-button").addEventListener("click", () => chooseReceiveOnly(false));
  $("remote-video").addEventListener("click", (e) => e.currentTarget.play().catch(() => {}));
  $("chat-input").addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    try { if (sendChat(e.currentTarget.value)) e.currentTarget.value = ""; } catch (err) { reportError(err); }
  });

  /// Resolves when `condition` (a state name or a function of the hook) holds; rejects after `timeoutMs`.
  function waitFor(condition, timeoutMs = DEFAULT_WAIT_MS) {
    const test = typeof condition === "function" ? () => condition(hook) : () => app.state === condition;
    if (test()) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const check = () => { if (test()) { done(); resolve(true); } };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${condition}; state ${app.state}`)); }, timeoutMs);
      const poll = setInterval(check, 20);
      const done = () => { clearTimeout(timer); clearInterval(poll); stateWaiters.delete(check); };
      stateWaiters.add(check);
    });
  }

  // A small hook so tests (and curious people in the console) can drive and read the page.
  const hook = Object.freeze({
    get connection() { return app.connection; },
    get state() { return app.state; },
    get me() { return app.me; },
    get peer() { return calls.current()?.peer ?? null; },
    get users() { return app.users.slice(); },
    get busy() { return app.busy.slice(); },
    get rings() { return app.rings ?? 0; },
    get peerState() { const c = calls.current(); return c ? { muted: c.peerMuted, cameraOff: c.peerCameraOff } : null; },
    setMuted: (v) => calls.setMuted(v), setCameraOff: (v) => calls.setCameraOff(v),
    get chat() { return app.chat.map((m) => ({ ...m })); },
    get status() { return app.status; },
    get serverAway() { return app.serverAway; },
    get endReason() { return app.endReason; },
    get mediaError() { return calls.current()?.mediaError ?? null; },
    get timings() { return { ...app.timings }; },
    get log() { return app.log.slice(); },
    get iceServers() { return iceServers.map((s) => ({ ...s })); },
    get iceTransportPolicy() { return iceTransportPolicy; },
    login, call: startCall, accept, decline, hangUp, sendChat, stats, waitFor,
    continueReceiveOnly: () => chooseReceiveOnly(true),
    restartIce: () => calls.restartIce(),
  });
  window.tuicall = hook;

  render();
  setStatus("Connecting to the server…");
  connect();
})();
