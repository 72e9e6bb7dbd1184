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

export async function pending(userId) {
  if (!userId) return [];
  const range = IDBKeyRange.bound([userId, 0], [userId, Infinity]);
  return (await db()).getAll("outbox", range);
}

// Files (photos, signatures) are kept until the server has them.
export async function keepFile(sha256, blob, orderId) {
  await (await db()).put("files", { sha256, blob, order_id: orderId });
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

async function pushOnce(user, client, resume = false) {
  const queued = (await pending(user.id)).slice(0, BATCH);
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
    const culprit = UNREADABLE.has(error.code) && queued.find((m) => m.id === error.details?.id);
    if (culprit) {
      // A mutation this server cannot read (an app bug, or a server that does not know
      // it yet) would hold the whole queue back forever: set it aside, visibly.
      const { code, message, details } = error;
      await remember(user, { outcome: "rejected", code, message, details }, culprit);
      await forget(user, [culprit]);
      return true;
    }
    if (error.code !== "mutation_gap") throw error;
    const last = error.details?.last_mutation_id ?? 0;
    if (last < queued[0].id - 1) {
      // The server was restored from before it answered some of ours: they cannot be
      // sent again (they left the outbox when answered), so it continues from ours.
      if (resume) throw error;
      return pushOnce(user, client, true);
    }
    await forget(user, queued.filter((mutation) => mutation.id <= last));
    return true;
  }
  const byId = new Map(queued.map((mutation) => [mutation.id, mutation]));
  for (const result of answer.results) {
    if (result.outcome !== "applied") await remember(user, result, byId.get(result.id));
  }
  await forget(
    user,
    answer.results.map((result) => byId.get(result.id)),
  );
  return queued.length === BATCH;
}

async function forget(user, mutations) {
  const tx = (await db()).transaction("outbox", "readwrite");
  await Promise.all([
    ...mutations.filter(Boolean).map((m) => tx.store.delete([user.id, m.id])),
    tx.done,
  ]);
  emit("outbox");
}

async function upload() {
  const database = await db();
  for (const file of await database.getAll("files")) {
    try {
      await api(`/api/blobs/${file.sha256}`, { method: "PUT", body: file.blob });
    } catch (error) {
      if (error.status === 0 || error.status === 401) throw error;
      // Another refusal will not change on retry (not an image, too large): say so.
      await database.put("problems", {
        key: `file:${file.sha256}`,
        outcome: "rejected",
        code: error.code,
        message: error.message,
        details: { sha256: file.sha256, order_id: file.order_id },
        at: new Date().toISOString(),
      });
    }
    await database.delete("files", file.sha256);
    emit("files");
  }
}

function stockRows(stock) {
  return stock.map((line) => ({ ...line, id: `${line.store_id}:${line.part_id}` }));
}

async function applyPage(page) {
  const database = await db();
  const stores = [...Object.keys(DATA_STORES), "kv"];
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
  await Promise.all([...work, tx.done]);
}

async function dropOrder(tx, orderId) {
  await tx.objectStore("orders").delete(orderId);
  for (const store of ["events", "attachments"]) {
    const keys = await tx.objectStore(store).index("order_id").getAllKeys(orderId);
    await Promise.all(keys.map((key) => tx.objectStore(store).delete(key)));
  }
}

async function pullAll(client) {
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
    await applyPage(page);
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
    await upload();
    await pullAll(client);
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

// Ask for a sync soon: at once when online, else through Background Sync when the
// browser has it (the service worker then syncs when the connection returns).
export function requestSync() {
  if (typeof self !== "undefined" && self.navigator?.onLine !== false) {
    queueMicrotask(() => sync());
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
