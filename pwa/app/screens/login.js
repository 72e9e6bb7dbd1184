import { ApiError, login, OFFLINE } from "../lib/api.js";
import { db } from "../lib/db.js";
import { t } from "../lib/i18n.js";
import { switchUser } from "../lib/sync.js";
import { html, useLive, useState } from "../lib/ui.js";

// Whose queued changes are still on this phone, besides the user logging in.
async function waitingOutboxes() {
  const rows = await (await db()).getAll("outbox");
  const counts = new Map();
  for (const row of rows) counts.set(row.user_id, (counts.get(row.user_id) ?? 0) + 1);
  return counts;
}

export default function Login({ params, user }) {
  const [username, setUsername] = useState(user?.username ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const waiting = useLive(waitingOutboxes);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await login(username.trim(), password);
      await switchUser(me.id);
    } catch (failure) {
      const offline = failure instanceof ApiError && failure.code === OFFLINE;
      setError(offline ? t("login.offline") : t("login.failed"));
    } finally {
      setBusy(false);
    }
  }

  const others = user && waiting instanceof Map ? (waiting.get(user.id) ?? 0) : 0;
  return html`<main class="login">
    <h1>${t("app.name")}</h1>
    <h2>${t("login.title")}</h2>
    ${params.again ? html`<p class="hint" role="status">${t("login.again")}</p>` : null}
    ${others && username.trim() !== user.username
      ? html`<p class="hint">${t("login.other_user_pending", { n: others, name: user.display_name })}</p>`
      : null}
    <form onSubmit=${submit}>
      <label for="username">${t("login.username")}</label>
      <input id="username" name="username" autocomplete="username" required value=${username}
        onInput=${(e) => setUsername(e.target.value)} />
      <label for="password">${t("login.password")}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required
        value=${password} onInput=${(e) => setPassword(e.target.value)} />
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <div class="actions"><button type="submit" disabled=${busy}>${t("login.submit")}</button></div>
    </form>
  </main>`;
}
