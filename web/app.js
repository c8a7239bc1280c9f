// The local run's web client: a reference for holding the socket (token as a sub-protocol, in-band refresh before
// exp, reconnect with backoff, catch-up through the history API) and for calling the REST API. No build step.
const api = "/api/v1";
const $ = (id) => document.getElementById(id);
const state = { me: null, token: null, conversations: [], unread: {}, online: {}, open: null, hidden: new Map(),
                socket: null, backoff: 500, lastWatch: "", watchTimer: null, refreshTimer: null };

// --- tokens: development tokens from the local run's /dev/token, refreshed in band before they expire --------------
async function fetchToken(user) {
  const answer = await fetch(`/dev/token?user=${encodeURIComponent(user)}&ttlSeconds=${tokenSeconds()}`);
  if (!answer.ok) throw new Error((await answer.json()).detail);
  return answer.text();
}
function tokenSeconds() { return Number(new URLSearchParams(location.search).get("ttlSeconds") || 3600); }
function expiresAt(token) { return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).exp * 1000; }
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  const left = expiresAt(state.token) - Date.now();
  state.refreshTimer = setTimeout(async () => {
    try {
      state.token = await fetchToken(state.me);
      send({ type: "auth", token: state.token });      // the open socket stays open past the old token's exp
      scheduleRefresh();
    } catch (e) { problem(`token refresh failed: ${e.message}`); state.refreshTimer = setTimeout(scheduleRefresh, 5000); }
  }, Math.max(1000, left - Math.max(10_000, left / 5)));
}

// --- REST -----------------------------------------------------------------------------------------------------------
async function call(method, path, body) {
  const answer = await fetch(api + path, { method, headers: { Authorization: `Bearer ${state.token}`,
    ...(body ? { "Content-Type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (!answer.ok) {
    const text = await answer.text();
    let detail = text;
    try { detail = JSON.parse(text).detail || text; } catch { /* not a problem document */ }
    throw new Error(`${answer.status}: ${detail}`);
  }
  return answer.status === 204 ? null : answer.json();
}
const act = (work) => async (...args) => { try { problem(""); await work(...args); } catch (e) { problem(e.message); } };

// --- the socket -------------------------------------------------------------------------------------------------------
function connect() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${api}/presence/ws`;
  const socket = new WebSocket(url, ["chat.v1", "quarkus-http-upgrade#Authorization#" + encodeURIComponent(`Bearer ${state.token}`)]);
  state.socket = socket;
  socket.onmessage = (frame) => onFrame(JSON.parse(frame.data));
  socket.onclose = (close) => {
    if (state.socket !== socket) return;
    $("socket-state").textContent = `offline (${close.code}${close.reason ? " " + close.reason : ""}), reconnecting`;
    const wait = state.backoff;
    state.backoff = Math.min(state.backoff * 2, 15_000);   // 0.5 s, 1 s, 2 s ... 15 s
    setTimeout(async () => {
      if (close.code === 1008 && /token/.test(close.reason)) state.token = await fetchToken(state.me);
      document.body.dataset.reconnects = Number(document.body.dataset.reconnects || 0) + 1;
      connect();
    }, wait + Math.random() * 250);
  };
}
function send(frame) { if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(frame)); }
setInterval(() => send({ type: "heartbeat" }), 50_000);   // the hello says every 60 s

async function onFrame(frame) {
  switch (frame.type) {
    case "hello":
      state.backoff = 500;
      state.lastWatch = "";
      $("socket-state").textContent = "online";
      await refresh();                                 // catch up on what happened while disconnected
      if (state.open) await openConversation(state.open);
      break;
    case "presence-snapshot": frame.users.forEach((u) => { state.online[u.userId] = u.online; }); render(); break;
    case "presence": state.online[frame.userId] = frame.online; render(); break;
    case "message":
      if (frame.conversationId === state.open) {
        addMessage(frame);
        if (frame.senderId !== state.me) await markRead(frame.conversationId);
      } else {
        await refresh();
      }
      break;
    case "read":
      if (frame.conversationId === state.open) $("receipt").textContent = `seen by ${frame.userId}`;
      break;
    case "error": problem(`socket: ${frame.error}: ${frame.detail}`); break;
  }
}

// presence of everyone this user has a conversation with (the server shows only contacts)
function watchContacts() {
  const users = [...new Set(state.conversations.flatMap((c) => c.participants).filter((u) => u !== state.me))].slice(0, 500).sort();
  const key = users.join(",");
  if (key === state.lastWatch || state.watchTimer) return;
  state.watchTimer = setTimeout(() => { state.watchTimer = null; }, 1100);   // one watch a second at most
  state.lastWatch = key;
  send({ type: "watch", userIds: users });
}

// --- conversations and messages ----------------------------------------------------------------------------------------
async function refresh() {
  state.conversations = (await call("GET", "/conversations?limit=100")).items;
  state.unread = (await call("GET", "/unread")).counts;
  render();
  watchContacts();
}
const others = (c) => c.participants.filter((u) => u !== state.me).join(", ");

function render() {
  $("conversations").replaceChildren(...state.conversations.map((c) => {
    const li = document.createElement("li");
    li.dataset.conversationId = c.id;
    li.className = c.id === state.open ? "open" : "";
    const other = c.participants.find((u) => u !== state.me) || state.me;
    li.innerHTML = `<span class="dot ${state.online[other] ? "online" : ""}" data-user="${other}"></span>`;
    li.append(others(c) || state.me);
    const status = document.createElement("span"); status.className = "status"; status.textContent = c.status; li.append(status);
    if (state.unread[c.id]) { const b = document.createElement("span"); b.className = "badge"; b.textContent = state.unread[c.id]; li.append(b); }
    const button = (label, work) => { const b = document.createElement("button"); b.textContent = label; b.dataset.action = label;
      b.onclick = act(async (e) => { e.stopPropagation(); await work(); await refresh(); }); li.append(b); };
    if (c.status === "PENDING" && c.createdBy !== state.me) {
      button("accept", () => call("POST", `/conversations/${c.id}/accept`));
      button("decline", () => call("POST", `/conversations/${c.id}/decline`));
    }
    if (c.status === "ACCEPTED") button("end", () => call("POST", `/conversations/${c.id}/end`));
    button("hide", async () => { await call("DELETE", `/conversations/${c.id}`); state.hidden.set(c.id, others(c));
      if (state.open === c.id) closeConversation(); });
    button("block", () => call("PUT", `/blocks/${encodeURIComponent(other)}`));
    li.onclick = act(() => openConversation(c.id));
    return li;
  }));
  $("hidden-list").replaceChildren(...[...state.hidden].map(([id, who]) => {
    const b = document.createElement("button"); b.textContent = `restore ${who}`;
    b.onclick = act(async () => { await call("POST", `/conversations/${id}/restore`); state.hidden.delete(id); await refresh(); });
    return b;
  }));
}

async function openConversation(id) {
  state.open = id;
  const page = await call("GET", `/messages?conversationId=${id}&limit=50`);   // the newest page: the catch-up too
  $("messages").replaceChildren();
  page.items.slice().reverse().forEach(addMessage);
  $("receipt").textContent = "";
  const c = state.conversations.find((x) => x.id === id);
  $("conversation-header").textContent = c ? `with ${others(c)} (${c.status})` : "";
  $("send").hidden = false;
  if (page.items.some((m) => m.senderId !== state.me)) await markRead(id);
  await refresh();
}
function closeConversation() { state.open = null; $("messages").replaceChildren(); $("send").hidden = true; $("conversation-header").textContent = ""; }

function addMessage(m) {
  if (document.querySelector(`#messages li[data-message-id="${m.id}"]`)) return;   // an event may repeat what a page showed
  const li = document.createElement("li");
  li.dataset.messageId = m.id;
  li.className = m.senderId === state.me ? "mine" : "";
  const who = document.createElement("span"); who.className = "sender"; who.textContent = m.senderId;
  li.append(who, m.content);
  $("messages").prepend(li);
}
async function markRead(id) { await call("POST", "/messages/read", { conversationId: id }); state.unread[id] = 0; render(); }

// --- forms -----------------------------------------------------------------------------------------------------------
function problem(text) { $("problem").textContent = text; }
$("sign-in").onsubmit = act(async (e) => {
  e.preventDefault();
  state.me = $("user-id").value.trim();
  state.token = await fetchToken(state.me);
  $("me").textContent = `signed in as ${state.me}`;
  $("sign-in").hidden = true;
  $("app").hidden = false;
  scheduleRefresh();
  connect();
  setInterval(act(refresh), 5000);   // new requests and status changes of others are not pushed: the list is re-read
});
$("new-conversation").onsubmit = act(async (e) => {
  e.preventDefault();
  const created = await call("POST", "/conversations", { participantIds: [$("participant").value.trim()] });
  $("participant").value = "";
  await refresh();
  await openConversation(created.id);
});
$("send").onsubmit = act(async (e) => {
  e.preventDefault();
  const content = $("content").value;
  if (!content.trim()) return;
  const sent = await call("POST", "/messages", { conversationId: state.open, content, clientMessageId: crypto.randomUUID() });
  $("content").value = "";
  addMessage(sent);
});
