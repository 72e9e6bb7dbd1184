// Tells the screens that local data, the outbox or the session changed, so they read
// again. In the service worker nobody listens, which is fine.
const bus = new EventTarget();

export function emit(what) {
  bus.dispatchEvent(new CustomEvent("changed", { detail: what }));
}

export function listen(callback) {
  const handler = (event) => callback(event.detail);
  bus.addEventListener("changed", handler);
  return () => bus.removeEventListener("changed", handler);
}
