// The dispatch board: unassigned orders (status new), most urgent priority first, each
// with the technicians the server suggests for it (skills, load, distance, duty:
// docs/geo.md) and one button per suggestion that assigns it. The board reads again
// after an assignment, on request, and when the live feed announces an order.
import texts from "../i18n/manager.js";
import { api } from "../lib/api.js";
import { Failure } from "../lib/failure.js";
import { addTexts, t } from "../lib/i18n.js";
import { follow } from "../lib/livemap.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useNow, useRef, useState } from "../lib/ui.js";
import { SlaClock } from "./orders.js";

addTexts(texts);

const PAGE = 20;
const SUGGESTIONS = 3;
// Several orders announced at once (a batch dispatch) make one read, not one each.
const SETTLE_MS = 500;

function Suggestion({ suggestion, assign, busy }) {
  const distance = suggestion.distance_m === null
    ? t("dispatch.position_unknown")
    : t("dispatch.distance", { km: (suggestion.distance_m / 1000).toFixed(1) });
  const facts = [
    t("dispatch.open_orders", { n: suggestion.open_orders }),
    distance,
    suggestion.on_duty ? t("dispatch.on_duty") : t("dispatch.off_duty"),
    t("dispatch.score", { n: suggestion.score }),
  ];
  return html`<li class="suggestion" data-user=${suggestion.user_id}>
    <div class="grow">
      <strong>${suggestion.name}</strong>
      <div class="hint">${facts.join(" · ")}</div>
    </div>
    <button disabled=${busy} onClick=${() => assign(suggestion)} data-testid="assign">
      ${t("dispatch.assign")}<span class="visually-hidden"> ${suggestion.name}</span>
    </button>
  </li>`;
}

function Candidates({ order, assign, busy }) {
  const [found, setFound] = useState(null);
  useEffect(() => {
    let current = true;
    api(`/api/work-orders/${order.id}/suggestions?limit=${SUGGESTIONS}`).then(
      (page) => current && setFound(page.items),
      (error) => current && setFound({ error }),
    );
    return () => {
      current = false;
    };
  }, [order.id, order.version]);
  if (found === null) return html`<p class="hint">${t("dispatch.suggesting")}</p>`;
  if (found.error) return html`<${Failure} error=${found.error} />`;
  if (!found.length) return html`<p class="hint">${t("dispatch.nobody")}</p>`;
  return html`<ul class="list suggestions" aria-label=${t("dispatch.suggested")}>
    ${found.map((suggestion) => html`<${Suggestion} key=${suggestion.user_id} suggestion=${suggestion}
      assign=${(chosen) => assign(order, chosen)} busy=${busy} />`)}
  </ul>`;
}

function Card({ order, now, assign, busy }) {
  return html`<li class="card" data-testid="dispatch-order" data-order=${order.id}>
    <div class="row">
      <span class=${`badge ${order.priority}`}>${order.priority}</span>
      <a class="number" href=${`#/orders/${order.id}`}>${order.number}</a>
      <span class="grow"></span>
      <${SlaClock} order=${order} now=${now} />
    </div>
    <strong>${order.title}</strong>
    <div class="hint">${order.site_name ?? t("dispatch.no_site")}</div>
    <${Candidates} order=${order} assign=${assign} busy=${busy} />
  </li>`;
}

async function unassigned(cursor = null) {
  const query = new URLSearchParams({ status: "new", sort: "priority", limit: String(PAGE) });
  if (cursor) query.set("cursor", cursor);
  const page = await api(`/api/work-orders?${query}`);
  return { ...page, items: page.items.filter((order) => !order.assignee_id) };
}

export default function Dispatch() {
  const now = useNow();
  const [board, setBoard] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const timer = useRef(null);

  async function load() {
    try {
      setBoard(await unassigned());
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }

  async function more() {
    try {
      const page = await unassigned(board.next_cursor);
      setBoard({ items: [...board.items, ...page.items], next_cursor: page.next_cursor });
    } catch (failure) {
      setError(failure);
    }
  }

  async function assign(order, suggestion) {
    setBusy(true);
    setDone(null);
    try {
      await api(`/api/work-orders/${order.id}/assignment`, { method: "POST", body: { assignee_id: suggestion.user_id } });
      setDone(t("dispatch.assigned", { number: order.number, name: suggestion.name }));
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    addStylesheet("/manager.css");
    load();
    let connections = 0;
    const stop = follow({
      // After a reconnection, read again what the board may have missed meanwhile.
      onConnect: () => connections++ && load(),
      onEvent: (kind) => {
        if (kind !== "order") return;
        clearTimeout(timer.current);
        timer.current = setTimeout(load, SETTLE_MS);
      },
    });
    return () => {
      stop();
      clearTimeout(timer.current);
    };
  }, []);

  return html`<section>
    <div class="row">
      <h2 class="grow">${t("dispatch.title")}</h2>
      <button class="secondary" onClick=${load}>${t("manager.refresh")}</button>
    </div>
    ${done ? html`<p class="ok" role="status" data-testid="dispatch-done">${done}</p>` : null}
    <${Failure} error=${error} />
    ${board === null && !error ? html`<p>${t("common.loading")}</p>` : null}
    ${board && !board.items.length ? html`<p>${t("dispatch.none")}</p>` : null}
    <ul class="list">
      ${(board?.items ?? []).map((order) => html`<${Card} key=${order.id} order=${order} now=${now} assign=${assign} busy=${busy} />`)}
    </ul>
    ${board?.next_cursor ? html`<div class="actions"><button class="secondary" onClick=${more}>${t("dispatch.more")}</button></div>` : null}
  </section>`;
}
