// The phone's own database (IndexedDB): what the last pulls brought, the outbox of
// mutations not yet answered, the files waiting to upload, and the answers that need
// the user's eyes. DOM-free: the service worker runs the same code for Background Sync.
import { openDB } from "../vendor/idb/index.js";

const NAME = "fieldops";

// Server data, replaced wholesale when a pull says resync_required or another user
// logs in. The outbox, files, problems and the phone's own check-in log are never
// cleared by either.
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
};

// One step per version, each run once in order on an existing database: a store that
// exists already must not be created again, or the upgrade aborts and the outbox with
// it becomes unreachable.
const STEPS = [
  (database) => {
    for (const [store, keyPath] of Object.entries(DATA_STORES)) {
      const created = database.createObjectStore(store, { keyPath });
      if (store === "events" || store === "attachments") created.createIndex("order_id", "order_id");
    }
    database.createObjectStore("kv");
    // Keyed by [user_id, mutation id]: each user's queue pushes in id order.
    database.createObjectStore("outbox", { keyPath: ["user_id", "id"] });
    // Each user's own files: the server shares a file only as its uploader's.
    database.createObjectStore("files", { keyPath: ["user_id", "sha256"] }).createIndex("sha256", "sha256");
    database.createObjectStore("problems", { keyPath: "key" });
    database.createObjectStore("checkins", { keyPath: "id" }).createIndex("order_id", "order_id");
  },
];
const VERSION = STEPS.length;

let opening = null;

export function db() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(database, oldVersion) {
      for (const step of STEPS.slice(oldVersion)) step(database);
    },
    blocking() {
      // A newer version of the app is upgrading the database: this older one must not
      // keep using it. A page starts again as the new version; a worker is replaced.
      opening?.then((database) => database.close());
      if (typeof location !== "undefined" && typeof document !== "undefined") location.reload();
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
