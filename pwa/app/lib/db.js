// The phone's own database (IndexedDB): what the last pulls brought, the outbox of
// mutations not yet answered, the files waiting to upload, and the answers that need
// the user's eyes. DOM-free: the service worker runs the same code for Background Sync.
import { openDB } from "../vendor/idb/index.js";

const NAME = "fieldops";
const VERSION = 1;

// Server data, replaced wholesale when a pull says resync_required or another user
// logs in. The outbox, pending files and problems are never cleared by either.
export const DATA_STORES = {
  orders: "id",
  events: "id",
  attachments: "id",
  sites: "id",
  assets: "id",
  service_items: "id",
  templates: "id",
  notifications: "id",
  checklists: "id",
  rounds: "id",
  round_runs: "id",
  inspection_results: "id",
  parts: "id",
  stock: "id",
  checkins: "id",
};

let opening = null;

export function db() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(database) {
      for (const [store, keyPath] of Object.entries(DATA_STORES)) {
        const created = database.createObjectStore(store, { keyPath });
        if (store === "events" || store === "attachments" || store === "checkins") {
          created.createIndex("order_id", "order_id");
        }
      }
      database.createObjectStore("kv");
      // Keyed by [user_id, mutation id]: each user's queue pushes in id order.
      database.createObjectStore("outbox", { keyPath: ["user_id", "id"] });
      database.createObjectStore("files", { keyPath: "sha256" });
      database.createObjectStore("problems", { keyPath: "key" });
    },
    blocking() {
      // A newer version of the app wants to upgrade the database: let it.
      opening?.then((database) => database.close());
      opening = null;
    },
  });
  return opening;
}

export async function kvGet(key, fallback = null) {
  const value = await (await db()).get("kv", key);
  return value === undefined ? fallback : value;
}

export async function kvSet(key, value) {
  await (await db()).put("kv", value, key);
}

export async function all(store) {
  return (await db()).getAll(store);
}

export async function get(store, key) {
  return (await db()).get(store, key);
}

export async function byOrder(store, orderId) {
  return (await db()).getAllFromIndex(store, "order_id", orderId);
}

export async function clearData() {
  const database = await db();
  const names = Object.keys(DATA_STORES);
  const tx = database.transaction(names, "readwrite");
  await Promise.all([...names.map((name) => tx.objectStore(name).clear()), tx.done]);
}
