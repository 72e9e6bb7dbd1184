import { api, logout } from "../lib/api.js";
import { chooseLanguage, currentLanguage, LANGUAGES, t } from "../lib/i18n.js";
import { html, useEffect, useState } from "../lib/ui.js";

const NAMES = { "zh-CN": "简体中文", en: "English" };
// Screens of each role that have no tab of their own.
const MORE = {
  manager: [
    ["/conflicts", "nav.conflicts"],
    ["/schedule", "nav.schedule"],
    ["/admin", "nav.admin"],
    ["/requests/new", "nav.new_request"],
  ],
  admin: [["/orders", "nav.orders"], ["/conflicts", "nav.conflicts"], ["/schedule", "nav.schedule"]],
  inspector: [],
  technician: [["/rounds", "nav.rounds"]],
  requester: [],
};

function base64Url(text) {
  const padded = (text + "=".repeat((4 - (text.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

// Opt-in: the browser's permission, then its subscription goes to the server.
function PushSetting() {
  const [state, setState] = useState(pushSupported() ? "unknown" : "unsupported");
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!pushSupported()) return;
    navigator.serviceWorker.ready
      .then((registration) => registration.pushManager.getSubscription())
      .then((subscription) => {
        if (Notification.permission === "denied") setState("denied");
        else setState(subscription ? "on" : "off");
      });
  }, []);

  async function enable() {
    setError(null);
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        setState("denied");
        return;
      }
      const { public_key: key } = await api("/api/push/key");
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64Url(key),
      });
      await api("/api/push/subscriptions", { method: "POST", body: subscription.toJSON() });
      setState("on");
    } catch (failure) {
      setError(failure.message);
    }
  }

  return html`<div class="card">
    <strong>${t("settings.push")}</strong>
    <p data-testid="push-state">
      ${state === "on" ? t("settings.push_on") : null}
      ${state === "denied" ? t("settings.push_denied") : null}
      ${state === "unsupported" ? t("settings.push_unsupported") : null}
    </p>
    ${state === "off" ? html`<button onClick=${enable}>${t("settings.push_enable")}</button>` : null}
    ${error ? html`<p class="error">${t("common.error", { message: error })}</p>` : null}
  </div>`;
}

export default function Settings({ user }) {
  return html`<section>
    <h2>${t("settings.title")}</h2>
    <p>${t("settings.signed_in_as", { name: user.display_name, role: user.role })}</p>
    <label for="language">${t("settings.language")}</label>
    <select id="language" value=${currentLanguage()} onChange=${(e) => chooseLanguage(e.target.value)}>
      ${LANGUAGES.map((code) => html`<option value=${code}>${NAMES[code]}</option>`)}
    </select>
    <${PushSetting} />
    <ul class="list">
      ${(MORE[user.role] ?? []).map(([href, key]) => html`<li><a class="card" href=${`#${href}`}>${t(key)}</a></li>`)}
      <li><a class="card" href="#/problems">${t("problems.title")}</a></li>
    </ul>
    <div class="actions"><button class="secondary" onClick=${() => logout()}>${t("settings.logout")}</button></div>
  </section>`;
}
