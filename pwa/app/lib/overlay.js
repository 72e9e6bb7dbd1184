// What the user sees: the server's copy of an order with their own mutations that
// have not been answered yet laid over it, so work done offline shows at once.
import { targetOf } from "./lifecycle.js";

function forOrder(mutations, orderId) {
  return mutations.filter((mutation) => mutation.args.order_id === orderId);
}

export function overlayOrder(order, mutations) {
  let shown = { ...order, pending: 0 };
  for (const mutation of forOrder(mutations, order.id)) {
    shown.pending += 1;
    const { args } = mutation;
    if (mutation.name === "transition_order") {
      shown = { ...shown, status: targetOf(args.action, shown) };
    } else if (mutation.name === "edit_order") {
      shown = { ...shown, ...args.changes };
    } else if (mutation.name === "set_flags") {
      shown = { ...shown, ...args, order_id: undefined };
    } else if (mutation.name === "rate_order") {
      shown = { ...shown, rating: args.score, rating_comment: args.comment ?? "" };
    } else if (mutation.name === "urge_order") {
      shown = { ...shown, urge_count: (shown.urge_count ?? 0) + 1 };
    }
  }
  return shown;
}

// Orders created on this phone and not yet answered, as the list shows them.
export function pendingOrders(mutations, user) {
  return mutations
    .filter((mutation) => mutation.name === "create_order")
    .map((mutation) => ({
      priority: "P3",
      ...mutation.args,
      number: "…",
      status: "new",
      requester_id: user.role === "requester" ? user.id : null,
      created_at: mutation.device_time,
      version: 0,
      pending: 1,
    }));
}

// Timeline entries the user made that the server has not answered yet.
export function pendingEvents(mutations, orderId) {
  return forOrder(mutations, orderId).map((mutation) => ({
    id: `pending-${mutation.id}`,
    kind: mutation.name,
    at: mutation.device_time,
    note: mutation.args.body ?? mutation.args.reason ?? "",
    args: mutation.args,
    pending: true,
  }));
}
