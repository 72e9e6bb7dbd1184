// The app shell: session, routing, the sync indicator and when to sync.
import { session } from "./lib/api.js";
import { emit, listen } from "./lib/bus.js";
import { addTexts, currentLanguage, t } from "./lib/i18n.js";
import { loadMachine } from "./lib/lifecycle.js";
import { pending, problems, requestSync, sync, syncStatus } from "./lib/sync.js";
import { html, render, useEffect, useLive, useState } from "./lib/ui.js";
import common from "./i18n/common.js";

addTexts(common);

const SYNC_EVERY_MS = 60_000;
// Sync errors the indicator says in its own words (offline, log in again).
const QUIET_ERRORS = new Set(["offline", "login_required", "invalid_refresh_token"]);

// [pattern, screen module (screens/<name>.js), roles that see it or null for all]
const STAFF = ["manager", "admin"];
const FIELD = ["technician", "inspector"];
const ROUTES = [
  ["/orders/:id", "order", null],
  ["/orders", "orders", [...FIELD, ...STAFF]],
  ["/requests/new", "new_request", ["requester", ...STAFF]],
  ["/requests", "requests", ["requester"]],
  ["/scan", "scan", [...FIELD, ...STAFF]],
  ["/assets/:id", "asset", [...FIELD, ...STAFF]],
  ["/rounds", "rounds", [...FIELD, ...STAFF]],
  ["/runs/:id", "round_run", [...FIELD, ...STAFF]],
  ["/map", "map", STAFF],
  ["/dispatch", "dispatch", STAFF],
  ["/dashboard", "dashboard", STAFF],
  ["/conflicts", "conflicts", STAFF],
  ["/schedule", "schedule", STAFF],
  ["/projects/:id", "gantt", [...FIELD, ...STAFF]],
  ["/admin/:section", "admin", STAFF],
  ["/admin", "admin", STAFF],
  ["/settings", "settings", null],
  ["/problems", "problems", null],
];

// The bottom tabs of each role: [path, text key]. "More" (settings) links the rest.
const TABS = {
  technician: [["/orders", "nav.orders"], ["/scan", "nav.scan"], ["/settings", "nav.more"]],
  inspector: [["/rounds", "nav.rounds"], ["/scan", "nav.scan"], ["/orders", "nav.orders"], ["/settings", "nav.more"]],
  requester: [["/requests", "nav.requests"], ["/requests/new", "nav.new_request"], ["/settings", "nav.more"]],
  manager: [["/dispatch", "nav.dispatch"], ["/map", "nav.map"], ["/dashboard", "nav.dashboard"], ["/orders", "nav.orders"], ["/settings", "nav.more"]],
  admin: [["/dispatch", "nav.dispatch"], ["/map", "nav.map"], ["/dashboard", "nav.dashboard"], ["/admin", "nav.admin"], ["/settings", "nav.more"]],
};

function match(path) {
  for (const [pattern, screen, roles] of ROUTES) {
    const names = [];
    const regex = new RegExp(
      `^${pattern.replace(/:(\w+)/g, (_, name) => (names.push(name), "([^/]+)"))}$`,
    );
    const found = path.match(regex);
    if (found) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { screen, roles, params };
    }
  }
  return null;
}

function currentPath() {
  return location.hash.replace(/^#/, "") || "/";
}

function usePath() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const changed = () => setPath(currentPath());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return path;
}

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    addEventListener("online", up);
    addEventListener("offline", down);
    return () => {
      removeEventListener("online", up);
      removeEventListener("offline", down);
    };
  }, []);
  return online;
}

function SyncBar({ user }) {
  const online = useOnline();
  const state = useLive(async () => ({
    queued: (await pending(user.id)).length,
    problems: (await problems(user.id)).length,
    status: await syncStatus(),
  }));
  if (!state || state.error) return null;
  const { status } = state;
  return html`<div class="syncbar" role="status" aria-live="polite" data-testid="sync-status"
    data-last-success=${status.last_success ?? ""} data-running=${String(Boolean(status.running))}
    data-error=${status.error ?? ""}>
    <span class=${online ? "online" : "offline"}><span class="dot"></span>${t(online ? "sync.online" : "sync.offline")}</span>
    <span data-testid="pending-count" data-count=${state.queued}>
      ${state.queued ? t("sync.pending", { n: state.queued }) : t("sync.none_pending")}
    </span>
    <span class="hint">${status.last_success ? t("sync.last", { time: new Date(status.last_success).toLocaleTimeString(currentLanguage()) }) : t("sync.never")}</span>
    ${state.problems ? html`<a class="warn" href="#/problems">${t("sync.problems", { n: state.problems })}</a>` : null}
    ${status.error === "login_required" || status.error === "invalid_refresh_token" ? html`<a class="warn" href="#/settings">${t("sync.login_required")}</a>` : null}
    ${status.outdated ? html`<span class="warn">${t("sync.outdated")}</span>` : null}
    ${status.error && !QUIET_ERRORS.has(status.error) && !status.outdated
      ? html`<span class="warn">${t("sync.failed", { code: status.error })}</span>`
      : null}
    <button class="link" onClick=${() => sync()} disabled=${status.running || !online}>
      ${status.running ? t("sync.running") : t("sync.now")}
    </button>
  </div>`;
}

function UpdateBanner({ waiting }) {
  if (!waiting) return null;
  return html`<div class="banner" role="alert">
    <p>${t("update.ready")}</p>
    <button onClick=${() => waiting.postMessage({ type: "skip-waiting" })}>${t("update.reload")}</button>
  </div>`;
}

const loaded = {};

function Screen({ name, params, user }) {
  const [module, setModule] = useState(loaded[name]);
  useEffect(() => {
    if (loaded[name]) {
      setModule(loaded[name]);
      return;
    }
    import(`./screens/${name}.js`).then(
      (imported) => {
        loaded[name] = imported;
        setModule(imported);
      },
      (error) => setModule({ error }),
    );
  }, [name]);
  if (module?.error) return html`<p class="error">${t("common.error", { message: module.error.message })}</p>`;
  if (!module || module !== loaded[name]) return html`<p>${t("common.loading")}</p>`;
  const View = module.default;
  return html`<${View} params=${params} user=${user} />`;
}

function Shell({ current, waiting }) {
  const path = usePath();
  const [, setLanguage] = useState(currentLanguage());
  useEffect(() => listen((what) => what === "language" && setLanguage(currentLanguage())), []);
  const user = current?.user;
  if (!user || current.login_required) {
    return html`<${Screen} name="login" params=${{ again: Boolean(user) }} user=${user} />`;
  }
  const tabs = TABS[user.role] ?? TABS.technician;
  const found = match(path);
  if (!found || (found.roles && !found.roles.includes(user.role))) {
    location.replace(`#${tabs[0][0]}`);
    return null;
  }
  return html`<div class="shell">
    <header class="head">
      <div class="topbar"><h1>${t("app.name")}</h1></div>
      <${UpdateBanner} waiting=${waiting} />
      <${SyncBar} user=${user} />
    </header>
    <main id="main"><${Screen} name=${found.screen} params=${found.params} user=${user} /></main>
    <nav class="tabs" aria-label="FieldOps">
      ${tabs.map(
        ([href, key]) =>
          html`<a href=${`#${href}`} aria-current=${path.startsWith(href) ? "page" : null}>${t(key)}</a>`,
      )}
    </nav>
  </div>`;
}

function App({ registration }) {
  const current = useLive(session);
  const [waiting, setWaiting] = useState(registration?.waiting ?? null);
  useEffect(() => {
    if (!registration) return undefined;
    const found = () => {
      const incoming = registration.installing;
      incoming?.addEventListener("statechange", () => {
        if (incoming.state === "installed" && navigator.serviceWorker.controller) setWaiting(incoming);
      });
    };
    registration.addEventListener("updatefound", found);
    // The server refused our protocol: a newer app is out. Fetch it now.
    const stop = listen((what) => what === "outdated" && registration.update());
    return () => {
      registration.removeEventListener("updatefound", found);
      stop();
    };
  }, [registration]);
  if (current === undefined) return null;
  return html`<${Shell} current=${current} waiting=${waiting} />`;
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  // The first worker to claim the page changes nothing the page runs; a later one is
  // a new version the user chose to take: start it.
  let controller = navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    const replaced = controller;
    controller = navigator.serviceWorker.controller;
    if (replaced) location.reload();
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "synced") emit("data");
    if (event.data?.type === "open") location.hash = event.data.hash;
  });
  try {
    return await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" });
  } catch (error) {
    console.warn("service worker not registered", error);
    return null;
  }
}

function scheduleSync() {
  addEventListener("online", () => requestSync());
  addEventListener("focus", () => requestSync());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") requestSync();
  });
  setInterval(() => navigator.onLine && sync(), SYNC_EVERY_MS);
  const ready = async () => {
    const current = await session();
    if (!current?.user || current.login_required) return;
    await loadMachine();
    requestSync();
    if (FIELD.includes(current.user.role)) {
      import("./lib/scanner.js").then(({ keepReaderOffline }) => keepReaderOffline());
    }
  };
  listen((what) => what === "session" && ready());
  ready();
}

async function start() {
  document.documentElement.lang = currentLanguage();
  const registration = await registerWorker();
  scheduleSync();
  const root = document.getElementById("app");
  root.textContent = ""; // the boot placeholder
  render(html`<${App} registration=${registration} />`, root);
}

start();
