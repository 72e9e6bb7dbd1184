// Orders as the screens show them: the pulled copies with the user's own unsynced
// changes laid over them, and the SLA clock each one runs against.
import { session } from "./api.js";
import { all, byOrder, get } from "./db.js";
import { isOpen } from "./lifecycle.js";
import { overlayOrder, pendingEvents, pendingOrders } from "./overlay.js";
import { outbox } from "./sync.js";

export async function localOrders() {
  const { user } = await session();
  const queued = await outbox(user.id);
  const orders = (await all("orders")).map((order) => overlayOrder(order, queued));
  const known = new Set(orders.map((order) => order.id));
  const created = pendingOrders(queued, user).filter((order) => !known.has(order.id));
  return [...created, ...orders];
}

export async function localOrder(orderId) {
  const { user } = await session();
  const queued = await outbox(user.id);
  const stored = await get("orders", orderId);
  const order = stored
    ? overlayOrder(stored, queued)
    : pendingOrders(queued, user).find((candidate) => candidate.id === orderId);
  if (!order) return null;
  const events = (await byOrder("events", orderId)).sort((a, b) => a.version - b.version);
  const site = order.site_id ? await get("sites", order.site_id) : null;
  return {
    order,
    site,
    events: [...events, ...pendingEvents(queued, orderId)],
    attachments: await byOrder("attachments", orderId),
    checkins: (await byOrder("checkins", orderId)).sort((a, b) => a.at.localeCompare(b.at)),
  };
}

// The running SLA target: {state, due} with state breached, paused, at_risk,
// on_track or none (the map's colours, geo/map.py).
export function slaOf(order, now = Date.now()) {
  if (order.response_breached_at || order.resolution_breached_at) return { state: "breached", due: null };
  if (!isOpen(order.status)) return { state: "none", due: null };
  const due = (order.first_response_at ? null : order.response_due_at) || order.resolution_due_at;
  if (!due) return { state: "none", due: null };
  if (order.sla_paused_at) return { state: "paused", due };
  const left = Date.parse(due) - now;
  const total = Date.parse(due) - Date.parse(order.created_at);
  if (left < 0) return { state: "breached", due };
  return { state: left < 0.25 * total ? "at_risk" : "on_track", due };
}

export const VIEWS = {
  unresolved: (order) => isOpen(order.status),
  starred: (order) => order.starred,
  important: (order) => order.important,
  all: () => true,
};

const PRIORITY_RANK = { P1: 1, P2: 2, P3: 3, P4: 4, P5: 5 };

// Most urgent first: the nearest SLA due time, then priority, then the newest.
export function byUrgency(a, b) {
  const dueA = slaOf(a).due;
  const dueB = slaOf(b).due;
  if (dueA && dueB && dueA !== dueB) return dueA.localeCompare(dueB);
  if (dueA && !dueB) return -1;
  if (!dueA && dueB) return 1;
  const rank = (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9);
  return rank || String(b.created_at).localeCompare(String(a.created_at));
}
