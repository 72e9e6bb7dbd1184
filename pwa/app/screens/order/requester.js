// What a requester does with their order: urge it while open, rate it once finished.
import { t } from "../../lib/i18n.js";
import { isOpen } from "../../lib/lifecycle.js";
import { queue } from "../../lib/sync.js";
import { html, useState } from "../../lib/ui.js";

export function Requester({ order }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const [note, setNote] = useState("");
  const finished = ["resolved", "closed"].includes(order.status);
  return html`<div class="card" data-testid="requester-actions">
    ${isOpen(order.status)
      ? html`<label for="urge">${t("urge.note")}</label>
          <input id="urge" maxlength="2000" value=${note} onInput=${(e) => setNote(e.target.value)} />
          <div class="actions"><button onClick=${() => queue("urge_order", { order_id: order.id, note }).then(() => setNote(""))}>
            ${t("urge.button")}</button></div>
          ${order.urge_count ? html`<p class="hint">${t("urge.count", { n: order.urge_count })}</p>` : null}`
      : null}
    ${finished && !order.rating
      ? html`<fieldset>
          <legend>${t("rating.title")}</legend>
          <div class="row" role="radiogroup">
            ${[1, 2, 3, 4, 5].map(
              (value) => html`<button class=${value <= score ? "" : "secondary"} role="radio" aria-checked=${String(value === score)}
                aria-label=${t("rating.stars", { n: value })} onClick=${() => setScore(value)}>★</button>`,
            )}
          </div>
          <label for="rating-comment">${t("rating.comment")}</label>
          <textarea id="rating-comment" maxlength="2000" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
          <div class="actions"><button disabled=${!score} onClick=${() => queue("rate_order", { order_id: order.id, score, comment })}>
            ${t("rating.send")}</button></div>
        </fieldset>`
      : null}
    ${order.rating ? html`<p data-testid="rating">${t("rating.given", { n: order.rating })}</p>` : null}
  </div>`;
}
