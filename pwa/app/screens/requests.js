import texts from "../i18n/requests.js";
import { addTexts, t } from "../lib/i18n.js";
import { localOrders } from "../lib/orders.js";
import { html, useLive, useNow } from "../lib/ui.js";
import { OrderCard } from "./orders.js";

addTexts(texts);

// A requester's own orders (their scope is exactly those), newest first.
export default function Requests() {
  const now = useNow();
  const orders = useLive(localOrders);
  if (!Array.isArray(orders)) return html`<p>${t("common.loading")}</p>`;
  const sorted = [...orders].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  return html`<section>
    <div class="actions"><a class="button" href="#/requests/new">${t("request.new")}</a></div>
    ${sorted.length === 0 ? html`<p>${t("request.none")}</p>` : null}
    <ul class="list">${sorted.map((order) => html`<${OrderCard} order=${order} now=${now} />`)}</ul>
  </section>`;
}
