// The managers' live feed, GET /api/map/events (docs/geo.md): server-sent events of
// order and technician features. Read with fetch through call(), not EventSource,
// because the server wants the bearer token and EventSource cannot send headers.
// The server ends the stream with an "expired" event when the token runs out; the
// next connection goes through call() again, which renews it. Any other end (no
// network, a server restart) reconnects after a growing pause. Each connection is
// reported once the server has subscribed it (`onConnect`), so the screen reads its
// snapshot then and misses nothing that changed while it was away.
import { ApiError, call } from "./api.js";

const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30000;
// Answers that another attempt cannot change.
const FINAL = new Set([403, 404]);

function parse(block) {
  const event = { name: "message", data: [], comment: null };
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) event.comment = line.slice(1).trim();
    const [field, ...rest] = line.split(":");
    const value = rest.join(":").replace(/^ /, "");
    if (field === "event") event.name = value;
    if (field === "data") event.data.push(value);
  }
  return { ...event, data: event.data.join("\n") };
}

// follow({onEvent(name, feature), onConnect(), onState("live"|"waiting"|"failed")})
// runs until the returned function is called.
export function follow({ onEvent, onConnect = () => {}, onState = () => {} }) {
  let stopped = false;
  let reader = null;

  async function read(response) {
    reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    if (stopped) {
      reader.cancel().catch(() => null);
      return "stopped";
    }
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stopped) return "ended";
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.comment === "subscribed") {
          onState("live");
          onConnect();
        } else if (event.name === "expired") {
          reader.cancel().catch(() => null);
          return "expired";
        } else if (event.data) {
          onEvent(event.name, JSON.parse(event.data));
        }
      }
    }
  }

  (async () => {
    let pause = FIRST_PAUSE_MS;
    while (!stopped) {
      let end = "failed";
      try {
        const started = Date.now();
        end = await read(await call("/api/map/events"));
        // A stream that ran a while was healthy: the next failure starts over.
        if (Date.now() - started > LONGEST_PAUSE_MS) pause = FIRST_PAUSE_MS;
      } catch (error) {
        if (error instanceof ApiError && FINAL.has(error.status)) {
          onState("failed");
          return;
        }
      }
      if (stopped) return;
      onState("waiting");
      // An expired token is renewed at once; anything else waits a little.
      if (end !== "expired") {
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      }
    }
  })();

  return () => {
    stopped = true;
    reader?.cancel().catch(() => null);
  };
}
