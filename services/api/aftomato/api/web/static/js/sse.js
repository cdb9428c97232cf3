// Server-Sent Events over fetch: our own parser and a client that resumes after the last id.
// EventSource cannot be told where to resume after it gives up; this client always can, and
// it says Last-Event-ID on every reconnect, so the server skips what we already have.

/** Splits a text/event-stream into events; feed it chunks as they arrive. */
export class SseParser {
  constructor() {
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.eventType = "";
    this.data = [];
    this.id = null;
  }

  /** Returns the complete events in `chunk` (and in what earlier chunks left over). */
  feed(chunk) {
    this.buffer += chunk;
    const events = [];
    let newline;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more.
      if (width === 1 && this.buffer[newline] === "\r" && newline === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(newline + width);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  line(line) {
    if (line === "") {
      const hasData = this.data.length > 0;
      const event = { type: this.eventType || "message", data: this.data.join("\n"), id: this.id };
      this.reset();
      return hasData ? event : null;
    }
    if (line.startsWith(":")) return null; // a comment: keep-alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.eventType = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return null;
  }
}

/**
 * Follows `url` until `signal` aborts or `onEvent` returns "stop".
 * Reconnects after errors with a growing delay, sending Last-Event-ID = the last id seen.
 * `onState` hears "open", "retry" and "closed" for the page's status line.
 */
export async function followEvents(url, { onEvent, onState = () => {}, signal, lastEventId = null,
  retryMs = 500, maxRetryMs = 10000, fetchImpl = fetch } = {}) {
  let lastId = lastEventId;
  let delay = retryMs;
  while (!signal?.aborted) {
    try {
      const headers = { Accept: "text/event-stream" };
      if (lastId !== null) headers["Last-Event-ID"] = lastId;
      const response = await fetchImpl(url, { headers, signal, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      onState("open");
      delay = retryMs;
      const outcome = await readStream(response.body, (event) => {
        if (event.id !== null) lastId = event.id;
        return onEvent(event);
      });
      if (outcome === "stop") {
        onState("closed");
        return lastId;
      }
    } catch (error) {
      if (signal?.aborted) break;
    }
    onState("retry");
    await sleep(delay, signal);
    delay = Math.min(delay * 2, maxRetryMs);
  }
  onState("closed");
  return lastId;
}

async function readStream(body, handle) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return "ended";
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
        if (handle(event) === "stop") return "stop";
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
