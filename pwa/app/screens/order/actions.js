// The state machine's actions the user may take now; a reason first where one is needed.
import { allowedActions, needsReason } from "../../lib/lifecycle.js";
import { t } from "../../lib/i18n.js";
import { queue } from "../../lib/sync.js";
import { html, useState } from "../../lib/ui.js";

export function Actions({ order, user }) {
  const [asking, setAsking] = useState(null);
  const [reason, setReason] = useState("");
  const actions = allowedActions(order, user);
  async function take(action, why = "") {
    await queue("transition_order", {
      order_id: order.id,
      base_version: Math.max(order.version, 1),
      action,
      reason: why,
    });
    setAsking(null);
    setReason("");
  }
  if (!actions.length) return null;
  return html`<div class="actions" data-testid="actions">
    ${actions.map(
      (action) => html`<button class=${action === "cancel" ? "danger" : ""} data-action=${action}
        onClick=${() => (needsReason(action) ? setAsking(action) : take(action))}>${t(`action.${action}`)}</button>`,
    )}
    ${asking
      ? html`<div class="dialog" role="dialog" aria-modal="true" aria-labelledby="reason-title">
          <div>
            <h2 id="reason-title">${t(`action.${asking}`)}</h2>
            <label for="reason">${t("order.reason")}</label>
            <textarea id="reason" maxlength="2000" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea>
            <div class="actions">
              <button class="secondary" onClick=${() => setAsking(null)}>${t("common.cancel")}</button>
              <button disabled=${!reason.trim()} onClick=${() => take(asking, reason.trim())}>${t("common.save")}</button>
            </div>
          </div>
        </div>`
      : null}
  </div>`;
}
