// Calls to the FieldOps API with the session's token. An expired access token is
// renewed once with the refresh token; when that fails too the session is marked as
// needing a login, and nothing local (the outbox above all) is touched.
import { emit } from "./bus.js";
import { kvGet, kvSet } from "./db.js";

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const OFFLINE = "offline";
const SESSION_ENDED = new Set(["invalid_token", "session_ended", "unauthorized"]);

export async function session() {
  return kvGet("session");
}

export async function saveSession(value) {
  await kvSet("session", value);
  emit("session");
}

async function send(path, { method = "GET", body, headers = {}, token }) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, OFFLINE, "no connection");
  }
}

async function failure(response) {
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    // Not our error shape (a proxy's page): the status says enough.
  }
  return new ApiError(
    response.status,
    payload?.code || `http_${response.status}`,
    payload?.message || response.statusText,
    payload?.details ?? null,
  );
}

// A refresh token is good for one use, and the page, other tabs and the service worker
// may all find the access token expired at once: renewals take turns under a Web Lock,
// and one that finds the session already renewed by another uses that.
async function renewOnce(failedToken) {
  const current = await session();
  if (!current || current.access_token !== failedToken) return current;
  const response = await send("/api/auth/refresh", {
    method: "POST",
    body: { refresh_token: current.refresh_token },
  });
  if (!response.ok) {
    const error = await failure(response);
    const now = await session();
    // Only this refresh token's failure ends the session; a newer one may be fine.
    if (error.status === 401 && now?.refresh_token === current.refresh_token) {
      await saveSession({ ...now, login_required: true });
    }
    throw error;
  }
  const renewed = { ...current, ...(await response.json()), login_required: false };
  await saveSession(renewed);
  return renewed;
}

function renew(failedToken) {
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request("fieldops-auth", () => renewOnce(failedToken));
  }
  return renewOnce(failedToken);
}

// The raw response of an authenticated call (for files); throws ApiError.
export async function call(path, options = {}) {
  let current = await session();
  if (!current || current.login_required) {
    throw new ApiError(401, "login_required", "log in again");
  }
  let response = await send(path, { ...options, token: current.access_token });
  if (response.status === 401) {
    const error = await failure(response);
    if (!SESSION_ENDED.has(error.code)) throw error;
    current = await renew(current.access_token);
    if (!current || current.login_required) throw error;
    response = await send(path, { ...options, token: current.access_token });
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export async function api(path, options = {}) {
  const response = await call(path, options);
  return response.status === 204 ? null : response.json();
}

export async function login(username, password) {
  const response = await send("/api/auth/login", {
    method: "POST",
    body: { username, password },
  });
  if (!response.ok) throw await failure(response);
  const tokens = await response.json();
  const me = await send("/api/users/me", { token: tokens.access_token });
  if (!me.ok) throw await failure(me);
  const user = await me.json();
  await saveSession({ ...tokens, user, login_required: false });
  return user;
}

export async function logout() {
  const current = await session();
  if (current && !current.login_required) {
    // Best effort: offline, the tokens simply expire.
    await send("/api/auth/logout", { method: "POST", token: current.access_token }).catch(
      () => null,
    );
  }
  // The user stays known so that their outbox still pushes after the next login.
  await saveSession(current ? { user: current.user, login_required: true } : null);
}
