// How the online-only screens (manager, admin) say that a call failed: no network is
// said plainly, anything else with the server's message.
import { OFFLINE } from "./api.js";
import { t } from "./i18n.js";
import { html } from "./ui.js";

export function Failure({ error }) {
  if (!error) return null;
  const text = error.code === OFFLINE ? t("common.needs_network") : t("common.error", { message: error.message });
  return html`<p class="error" role="alert" data-testid="failure">${text}</p>`;
}
