// A small GraphQL client: queries over HTTP POST and subscriptions over a WebSocket speaking
// the graphql-transport-ws protocol (connection_init -> connection_ack -> subscribe -> next).

export const ENDPOINT = "/graphql";

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
  }
}

export async function query(document, variables = {}, { signal } = {}) {
  const res = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query: document, variables }),
    signal,
  });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`GraphQL endpoint answered ${res.status} without JSON`);
  }
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors);
  return body.data;
}

// One shared socket; each subscribe() call gets its own id. Reconnects with backoff and
// re-subscribes everything that is still active.
export class Subscriptions {
  constructor(url = wsUrl(), { onStatus = () => {} } = {}) {
    this.url = url;
    this.onStatus = onStatus;
    this.active = new Map();
    this.nextId = 1;
    this.ws = null;
    this.acked = false;
    this.retry = 0;
  }

  subscribe(document, variables, onNext, onError = () => {}) {
    const id = String(this.nextId++);
    this.active.set(id, { document, variables, onNext, onError });
    if (!this.ws) this.connect();
    else if (this.acked) this.send(id);
    return () => {
      this.active.delete(id);
      if (this.acked) this.ws.send(JSON.stringify({ id, type: "complete" }));
    };
  }

  connect() {
    this.acked = false;
    this.onStatus("connecting");
    const ws = new WebSocket(this.url, "graphql-transport-ws");
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: {} }));
    ws.onmessage = (event) => {
      const text = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data);
      const msg = JSON.parse(text);
      const sub = this.active.get(msg.id);
      if (msg.type === "connection_ack") {
        this.acked = true;
        this.retry = 0;
        this.onStatus("open");
        for (const id of this.active.keys()) this.send(id);
      } else if (msg.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "next" && sub) {
        if (msg.payload.errors) sub.onError(new GraphQLError(msg.payload.errors));
        else sub.onNext(msg.payload.data);
      } else if (msg.type === "error" && sub) {
        sub.onError(new GraphQLError(msg.payload));
      }
    };
    ws.onclose = () => {
      this.ws = null;
      this.acked = false;
      this.onStatus("closed");
      if (!this.active.size) return;
      const delay = Math.min(30000, 1000 * 2 ** this.retry++);
      setTimeout(() => this.active.size && !this.ws && this.connect(), delay);
    };
  }

  send(id) {
    const { document, variables } = this.active.get(id);
    this.ws.send(JSON.stringify({ id, type: "subscribe", payload: { query: document, variables } }));
  }
}

export function wsUrl(path = ENDPOINT) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${path}`;
}
