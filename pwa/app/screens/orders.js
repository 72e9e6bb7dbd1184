import texts from "../i18n/orders.js";
import { addTexts, formatDuration, t } from "../lib/i18n.js";
import { byUrgency, localOrders, slaOf, VIEWS } from "../lib/orders.js";
import { html, useLive, useNow, useState } from "../lib/ui.js";

addTexts(texts);

const VIEW_KEY = "fieldops.orders.view";

export function SlaClock({ order, now }) {
  const { state, due } = slaOf(order, now);
  if (state === "none") return null;
  if (state === "paused") return html`<span class="sla paused">${t("sla.paused")}</span>`;
  if (state === "breached") {
    const late = due ? formatDuration(now - Date.parse(due)) : "";
    return html`<span class="sla breached">${due ? t("sla.overdue_by", { time: late }) : t("sla.breached")}</span>`;
  }
  return html`<span class=${`sla ${state}`}>${t("sla.due_in", { time: formatDuration(Date.parse(due) - now) })}</span>`;
}

export function OrderCard({ order, now }) {
  return html`<li key=${order.id}>
    <a class="card" href=${`#/orders/${order.id}`} data-testid="order-card" data-order=${order.id}>
      <div class="row">
        <span class=${`badge ${order.priority}`}>${order.priority}</span>
        <span class="number">${order.number}</span>
        <span class="grow"></span>
        ${order.starred ? html`<span aria-label=${t("orders.starred")}>★</span>` : null}
        ${order.important ? html`<span aria-label=${t("orders.important")}>!</span>` : null}
        ${order.pending ? html`<span class="badge pending">${t("common.pending")}</span>` : null}
      </div>
      <strong>${order.title}</strong>
      <div class="row">
        <span class="grow">${t(`status.${order.status}`)}${order.site_name ? ` · ${order.site_name}` : ""}</span>
        <${SlaClock} order=${order} now=${now} />
      </div>
    </a>
  </li>`;
}

export default function Orders() {
  const [view, setView] = useState(localStorage.getItem(VIEW_KEY) || "unresolved");
  const now = useNow();
  const orders = useLive(localOrders);
  function choose(name) {
    localStorage.setItem(VIEW_KEY, name);
    setView(name);
  }
  const shown = Array.isArray(orders) ? orders.filter(VIEWS[view]).sort(byUrgency) : null;
  return html`<section>
    <div class="segmented" role="group" aria-label=${t("orders.views")}>
      ${Object.keys(VIEWS).map(
        (name) => html`<button aria-pressed=${String(view === name)} onClick=${() => choose(name)}>${t(`orders.view.${name}`)}</button>`,
      )}
    </div>
    ${shown === null ? html`<p>${t("common.loading")}</p>` : null}
    ${shown && shown.length === 0 ? html`<p>${t("orders.none")}</p>` : null}
    <ul class="list">${(shown ?? []).slice(0, 200).map((order) => html`<${OrderCard} order=${order} now=${now} />`)}</ul>
  </section>`;
}
