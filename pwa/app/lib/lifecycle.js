// Which actions the state machine allows, decided on the phone from the server's own
// table (GET /api/work-orders/lifecycle, kept for offline use): the same rules as
// server/workorders/lifecycle.py, read from it rather than copied.
import { api } from "./api.js";
import { emit } from "./bus.js";
import { kvGet, kvSet } from "./db.js";

const FIELD_ROLES = new Set(["technician", "inspector"]);
let machine = null;

export async function loadMachine() {
  try {
    machine = await api("/api/work-orders/lifecycle");
    await kvSet("machine", machine);
  } catch {
    machine = await kvGet("machine");
  }
  emit("machine"); // screens drawn before it came show their actions now
  return machine;
}

function rule(action) {
  return machine?.actions.find((candidate) => candidate.action === action);
}

export function allowedActions(order, user) {
  if (!machine || !user) return [];
  const isAssignee = order.assignee_id === user.id;
  const isRequester = order.requester_id === user.id;
  return machine.actions
    .filter((candidate) => {
      if (!candidate.sources.includes(order.status)) return false;
      if (candidate.roles.includes(user.role)) return true;
      if (FIELD_ROLES.has(user.role) && candidate.assignee_roles.includes(user.role)) {
        return isAssignee;
      }
      if (user.role === "requester") {
        return isRequester && candidate.requester_may.includes(order.status);
      }
      return false;
    })
    .map((candidate) => candidate.action);
}

export function needsReason(action) {
  return Boolean(rule(action)?.needs_reason);
}

export function targetOf(action, order) {
  const found = rule(action);
  if (!found) return order.status;
  return found.target ?? (order.assignee_id ? "assigned" : "new");
}

export function isOpen(status) {
  return machine ? machine.open.includes(status) : !["resolved", "closed", "cancelled"].includes(status);
}
