// The sync protocol of docs/sync.md from the phone's side: queue mutations in the
// outbox, push them in id order, pull what changed, upload the files mutations name.
// Runs in the page and in the service worker (Background Sync); a Web Lock keeps two
// contexts from syncing at once (the server would answer a repeated push with its
// recorded outcomes, but the outbox would be read twice).
import { api, ApiError, OFFLINE, session } from "./api.js";
import { emit } from "./bus.js";
import { clearData, db, DATA_STORES, kvGet, kvSet } from "./db.js";

export const PROTOCOL = 1;
const BATCH = 100;
const PULL_LIMIT = 500;
// Pull answers that are lists of rows with an id, by the store that keeps them.
const LISTS = [
  "orders",
  "attachments",
  "sites",
  "assets",
  "service_items",
  "templates",
  "notifications",
  "checklists",
  "rounds",
  "round_runs",
  "inspection_results",
  "parts",
];
const DELETED = { site: "sites", asset: "assets", service_item: "service_items" };
// Push answers naming one mutation the server cannot read (docs/sync.md, Push rule 5).
const UNREADABLE = new Set(["invalid_args", "unknown_mutation"]);

function newId() {
  return crypto.randomUUID();
}

async function currentUser() {
  const current = await session();
  return current?.user ?? null;
}

// The device's id for this user: kept across logins of the same user, so a queue
// made before a login expired still pushes exactly once (docs/sync.md, Devices).
export async function clientId(userId) {
  const key = `client:${userId}`;
  let value = await kvGet(key);
  if (!value) {
    value = newId();
    await kvSet(key, value);
  }
  return value;
}

// Put a mutation in the outbox; returns its id. The screens show it at once (see
// overlay.js) and the next sync sends it.
export async function queue(name, args, deviceTime = new Date()) {
  const user = await currentUser();
  if (!user) throw new ApiError(401, "login_required", "log in first");
  const database = await db();
  const tx = database.transaction(["kv", "outbox"], "readwrite");
  const key = `next_mutation:${user.id}`;
  const id = (await tx.objectStore("kv").get(key)) ?? 1;
  await tx.objectStore("kv").put(id + 1, key);
  await tx.objectStore("outbox").put({
    user_id: user.id,
    id,
    name,
    args,
    device_time: deviceTime.toISOString(),
  });
  await tx.done;
  emit("outbox");
  requestSync();
  return id;
}

// Every mutation of the user still in the outbox, answered ones included: the screens
// show those until the pull that follows brings their effect (see applyPage).
export async function outbox(userId) {
  if (!userId) return [];
  const range = IDBKeyRange.bound([userId, 0], [userId, Infinity]);
  return (await db()).getAll("outbox", range);
}

// The mutations still to push, in id order.
export async function pending(userId) {
  return (await outbox(userId)).filter((mutation) => !mutation.answered);
}

// Files (photos, signatures) are kept, as their taker's, until the server has them.
export async function keepFile(sha256, blob, orderId) {
  const user = await currentUser();
  await (await db()).put("files", { user_id: user.id, sha256, blob, order_id: orderId });
}

async function status(patch) {
  const current = (await kvGet("sync_status")) ?? {};
  await kvSet("sync_status", { ...current, ...patch });
  emit("status");
}

export async function syncStatus() {
  return (await kvGet("sync_status")) ?? {};
}

async function remember(user, result, mutation) {
  await (await db()).put("problems", {
    key: `${user.id}:${mutation.id}`,
    user_id: user.id,
    mutation,
    outcome: result.outcome,
    code: result.code,
    message: result.message,
    details: result.details,
    at: new Date().toISOString(),
  });
}

// The first mutations to push: at most `limit`, with consecutive ids (the server takes
// nothing else). After a hole (a mutation set aside) the server answers mutation_gap
// and the push resumes from the one after it.
function batchOf(queued, limit) {
  const batch = [];
  for (const mutation of queued) {
    if (batch.length === limit) break;
    if (batch.length && mutation.id !== batch[batch.length - 1].id + 1) break;
    batch.push(mutation);
  }
  return batch;
}

// Push one batch; true when more may follow at once.
async function pushOnce(user, client, { resume = false, limit = BATCH } = {}) {
  const queued = batchOf(await pending(user.id), limit);
  if (!queued.length) return false;
  const body = {
    protocol: PROTOCOL,
    client_id: client,
    mutations: queued.map(({ id, name, args, device_time }) => ({ id, name, args, device_time })),
  };
  if (resume) body.resume = true;
  let answer;
  try {
    answer = await api("/api/sync/push", { method: "POST", body });
  } catch (error) {
    return pushRefused(user, client, queued, error, { resume, limit });
  }
  if (!answer.results.length) throw new ApiError(502, "no_results", "the server answered no mutation");
  const byId = new Map(queued.map((mutation) => [mutation.id, mutation]));
  for (const result of answer.results) {
    if (result.outcome !== "applied") await remember(user, result, byId.get(result.id));
  }
  await markAnswered(
    user,
    answer.results.map((result) => byId.get(result.id)),
  );
  return true;
}

async function pushRefused(user, client, queued, error, { resume, limit }) {
  const culprit = UNREADABLE.has(error.code) && queued.find((m) => m.id === error.details?.id);
  const tooLarge = error.status === 413;
  if (culprit || (tooLarge && queued.length === 1)) {
    // A mutation this server cannot read (an app bug, a server that does not know it
    // yet) or take (too large) would hold the whole queue back forever: set it aside,
    // visibly. It never applied, so it leaves the outbox.
    const { code, message, details } = error;
    const setAside = culprit || queued[0];
    await remember(user, { outcome: "rejected", code, message, details }, setAside);
    await drop(user, [setAside]);
    return true;
  }
  if (tooLarge) return pushOnce(user, client, { resume, limit: Math.ceil(queued.length / 2) });
  if (error.code !== "mutation_gap") throw error;
  const last = error.details?.last_mutation_id ?? 0;
  if (last < queued[0].id - 1) {
    // Mutations before ours are not coming: set aside by us, or answered before the
    // server was restored from a backup. The server continues from ours.
    if (resume) throw error;
    return pushOnce(user, client, { resume: true, limit });
  }
  const known = queued.filter((mutation) => mutation.id <= last);
  if (!known.length) throw error;
  await markAnswered(user, known);
  return true;
}

async function markAnswered(user, mutations) {
  const tx = (await db()).transaction("outbox", "readwrite");
  await Promise.all([
    ...mutations.filter(Boolean).map((m) => tx.store.put({ ...m, user_id: user.id, answered: true })),
    tx.done,
  ]);
  emit("outbox");
}

async function drop(user, mutations) {
  const tx = (await db()).transaction("outbox", "readwrite");
  await Promise.all([...mutations.map((m) => tx.store.delete([user.id, m.id])), tx.done]);
  emit("outbox");
}

// Answers that end trying: the file itself is refused (server/sync/blobs.py). Anything
// else (a 5xx, a proxy) may pass later, so the file stays for the next sync.
const FILE_REFUSED = new Set(["unsupported_type", "hash_mismatch", "blob_too_large", "invalid_sha256"]);

async function upload(user) {
  const database = await db();
  const range = IDBKeyRange.bound([user.id, ""], [user.id, "\uffff"]);
  for (const file of await database.getAll("files", range)) {
    try {
      await api(`/api/blobs/${file.sha256}`, { method: "PUT", body: file.blob });
    } catch (error) {
      if (!FILE_REFUSED.has(error.code)) throw error;
      await database.put("problems", {
        key: `file:${file.sha256}`,
        user_id: user.id,
        outcome: "rejected",
        code: error.code,
        message: error.message,
        details: { sha256: file.sha256, order_id: file.order_id },
        at: new Date().toISOString(),
      });
    }
    await database.delete("files", [user.id, file.sha256]);
    emit("files");
  }
}

function stockRows(stock) {
  return stock.map((line) => ({ ...line, id: `${line.store_id}:${line.part_id}` }));
}

// Write a pulled page, its cursor, and the end of the answered mutations whose effect
// it brings, in one transaction: a crash leaves either all of it or none.
async function applyPage(page, user) {
  const database = await db();
  const stores = [...Object.keys(DATA_STORES), "kv", "outbox"];
  const tx = database.transaction(stores, "readwrite");
  const put = (store, rows) => rows.map((row) => tx.objectStore(store).put(row));
  const work = [];
  for (const name of LISTS) work.push(...put(name, page[name] ?? []));
  work.push(...put("events", page.timeline));
  for (const gone of page.deleted) work.push(tx.objectStore(DELETED[gone.kind]).delete(gone.id));
  for (const stone of page.tombstones) work.push(dropOrder(tx, stone.order_id));
  if (page.stock !== null && page.stock !== undefined) {
    work.push(tx.objectStore("stock").clear().then(() => Promise.all(put("stock", stockRows(page.stock)))));
  }
  // The cursor moves in the same transaction as the rows it stands for.
  work.push(tx.objectStore("kv").put(page.cursor, "cursor"));
  const mine = IDBKeyRange.bound([user.id, 0], [user.id, Infinity]);
  work.push(
    tx
      .objectStore("outbox")
      .getAll(mine)
      .then((rows) =>
        Promise.all(rows.filter((row) => row.answered).map((row) => tx.objectStore("outbox").delete([user.id, row.id]))),
      ),
  );
  await Promise.all([...work, tx.done]);
}

async function dropOrder(tx, orderId) {
  await tx.objectStore("orders").delete(orderId);
  for (const store of ["events", "attachments"]) {
    const keys = await tx.objectStore(store).index("order_id").getAllKeys(orderId);
    await Promise.all(keys.map((key) => tx.objectStore(store).delete(key)));
  }
}

async function pullAll(user, client) {
  for (;;) {
    const cursor = await kvGet("cursor");
    const body = { protocol: PROTOCOL, client_id: client, limit: PULL_LIMIT };
    if (cursor) body.cursor = cursor;
    let page;
    try {
      page = await api("/api/sync/pull", { method: "POST", body });
    } catch (error) {
      if (error.code !== "resync_required") throw error;
      // Drop the server's data (never the outbox) and take a new snapshot.
      await clearData();
      await kvSet("cursor", null);
      continue;
    }
    await applyPage(page, user);
    emit("data");
    if (!page.more) return;
  }
}

async function syncNow() {
  const user = await currentUser();
  const current = await session();
  if (!user || current?.login_required) return { ok: false, reason: "login_required" };
  const client = await clientId(user.id);
  await status({ running: true });
  try {
    while (await pushOnce(user, client)) {
      // A full batch: more may be queued.
    }
    await upload(user);
    await pullAll(user, client);
    await status({ running: false, last_success: new Date().toISOString(), error: null, outdated: false });
    return { ok: true };
  } catch (error) {
    const outdated = error.code === "client_outdated";
    await status({ running: false, error: error.code, outdated });
    if (outdated) emit("outdated");
    if (error.status === 0 || error.code === OFFLINE) return { ok: false, reason: OFFLINE };
    return { ok: false, reason: error.code };
  }
}

// Sync once, unless another tab or the service worker is syncing now.
export async function sync() {
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request("fieldops-sync", { ifAvailable: true }, (lock) =>
      lock ? syncNow() : { ok: false, reason: "busy" },
    );
  }
  return syncNow();
}

// Ask for a sync soon: when online, as soon as no other sync runs (one running now may
// have read the outbox before the change that asks), else through Background Sync when
// the browser has it (the service worker then syncs when the connection returns).
let asked = null;

export function requestSync() {
  if (typeof self !== "undefined" && self.navigator?.onLine !== false) {
    if (typeof navigator !== "undefined" && navigator.locks) {
      asked ??= navigator.locks.request("fieldops-sync", () => {
        asked = null;
        return syncNow();
      });
    } else {
      queueMicrotask(() => sync());
    }
  }
  if (typeof navigator !== "undefined" && navigator.serviceWorker?.ready) {
    navigator.serviceWorker.ready
      .then((registration) => registration.sync?.register("fieldops-sync"))
      .catch(() => null);
  }
}

export async function problems(userId) {
  const rows = await (await db()).getAll("problems");
  return rows.filter((row) => !row.user_id || row.user_id === userId);
}

export async function dismissProblem(key) {
  await (await db()).delete("problems", key);
  emit("problems");
}

// Another user on this phone: their server data must not show, but any outbox of the
// previous user stays to push at their next login.
export async function switchUser(userId) {
  if ((await kvGet("data_user")) === userId) return;
  await clearData();
  await kvSet("cursor", null);
  await kvSet("data_user", userId);
}

export { newId };
