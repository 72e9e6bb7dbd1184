// Sync conflicts for managers to review (docs/sync.md, Conflict rules): offline work
// that met newer changes. Each shows the order, the field, the value the server kept
// and the one it replaced, side by side, so nothing anyone typed is out of sight; a
// manager resolves it with a note (the last open one of an order clears its review
// flag). The lost value stays on the conflict record after it is resolved.
import texts from "../i18n/manager.js";
import orderTexts from "../i18n/orders.js";
import { api } from "../lib/api.js";
import { Failure } from "../lib/failure.js";
import { addTexts, formatTime, t } from "../lib/i18n.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useState } from "../lib/ui.js";

addTexts(orderTexts);
addTexts(texts);

// Why the server refused a status change that met newer changes (sync/order_mutations.py).
const REFUSALS = ["illegal_transition", "transition_forbidden", "reason_required"];

// Each distinct order and person once, whatever the number of conflicts naming them.
async function named(ids, read) {
  const unique = [...new Set(ids.filter(Boolean))];
  const found = await Promise.allSettled(unique.map(read));
  return new Map(unique.map((id, i) => [id, found[i].status === "fulfilled" ? found[i].value : null]));
}

async function review(openOnly) {
  const { items } = await api(`/api/sync/conflicts?open_only=${openOnly}`);
  const orders = await named(items.map((c) => c.order_id), (id) => api(`/api/work-orders/${id}`));
  const people = await named(
    items.flatMap((c) => [c.author_id, c.resolved_by_id, c.lost?.assign_to]),
    (id) => api(`/api/users/${id}`),
  );
  // Newest first: the latest offline work is the likeliest to be asked about.
  return { items: items.reverse(), orders, people };
}

function fieldName(conflict) {
  if (conflict.kind === "transition") return t("conflicts.field.status");
  const known = { description: "order.description" }[conflict.field];
  return known ? t(known) : conflict.field;
}

// Who made the change that lost: the latest change of the field by someone else after
// the version the author's device had seen (the record names only the author).
function replacedBy(conflict, order) {
  const column = conflict.field.split(".")[0].replace(/_id$/, "");
  const edits = (order?.timeline ?? []).filter(
    (event) => event.version > (conflict.base_version ?? 0) && event.actor_id !== conflict.author_id && column in (event.changes ?? {}),
  );
  return edits.at(-1)?.actor_name ?? null;
}

// A side of a conflict in words: text as typed, statuses and actions translated.
function Side({ value, people }) {
  if (value === null || value === undefined || value === "") return html`<p class="hint">${t("conflicts.empty")}</p>`;
  if (typeof value !== "object") return html`<p class="typed">${String(value)}</p>`;
  const lines = [];
  if (value.status) lines.push(t(`status.${value.status}`));
  if (value.action) lines.push(t(`action.${value.action}`));
  if (value.assign_to) lines.push(t("conflicts.assign_to", { name: people.get(value.assign_to)?.display_name ?? value.assign_to }));
  if (value.reason) lines.push(t("conflicts.reason", { text: value.reason }));
  if (value.refused) lines.push(REFUSALS.includes(value.refused) ? t(`conflicts.refused.${value.refused}`) : t("conflicts.refused", { code: value.refused }));
  if (!lines.length) lines.push(JSON.stringify(value, null, 2));
  return html`<p class="typed">${lines.join("\n")}</p>`;
}

function Conflict({ conflict, order, people, resolved }) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const author = people.get(conflict.author_id)?.display_name ?? t("conflicts.someone");
  async function resolve(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/api/sync/conflicts/${conflict.id}/resolve`, { method: "POST", body: { resolution: note.trim() } });
      resolved();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }
  const field = `note-${conflict.id}`;
  const other = conflict.kind === "field" ? replacedBy(conflict, order) : null;
  const lostHint = conflict.kind === "field"
    ? (other ? t("conflicts.lost_field_by", { name: other, author }) : t("conflicts.lost_field"))
    : t("conflicts.lost_status", { name: author });
  return html`<li class="card conflict" data-testid="conflict" data-conflict=${conflict.id} data-order=${conflict.order_id}>
    <div class="row">
      ${order ? html`<span class=${`badge ${order.priority}`}>${order.priority}</span>` : null}
      <a class="number" href=${`#/orders/${conflict.order_id}`}>${order?.number ?? t("conflicts.order")}</a>
      <span class="grow"></span>
      ${order?.needs_review ? html`<span class="badge pending">${t("conflicts.needs_review")}</span>` : null}
    </div>
    ${order ? html`<strong>${order.title}</strong>` : null}
    <p class="hint">${t("conflicts.what", { field: fieldName(conflict), name: author, time: formatTime(conflict.created_at) })}</p>
    <div class="sides">
      <section class="side kept" data-side="kept">
        <h3>${t("conflicts.kept")}</h3>
        <p class="hint">${t(conflict.kind === "field" ? "conflicts.kept_field" : "conflicts.kept_status", { name: author })}</p>
        <${Side} value=${conflict.kept} people=${people} />
      </section>
      <section class="side lost" data-side="lost">
        <h3>${t("conflicts.lost")}</h3>
        <p class="hint">${lostHint}</p>
        <${Side} value=${conflict.lost} people=${people} />
      </section>
    </div>
    ${conflict.resolved_at
      ? html`<p data-testid="resolution">${t("conflicts.resolved_by", {
          name: people.get(conflict.resolved_by_id)?.display_name ?? t("conflicts.someone"),
          time: formatTime(conflict.resolved_at),
        })}<br />${conflict.resolution}</p>`
      : html`<form onSubmit=${resolve}>
          <label for=${field}>${t("conflicts.note")}</label>
          <textarea id=${field} value=${note} maxlength="2000" required onInput=${(e) => setNote(e.target.value)}></textarea>
          <${Failure} error=${error} />
          <div class="actions"><button type="submit" disabled=${busy || !note.trim()}>${t("conflicts.resolve")}</button></div>
        </form>`}
  </li>`;
}

export default function Conflicts() {
  const [openOnly, setOpenOnly] = useState(true);
  const [state, setState] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => addStylesheet("/manager.css"), []);
  useEffect(() => {
    let current = true;
    review(openOnly).then(
      (found) => current && setState(found),
      (error) => current && setState({ error }),
    );
    return () => {
      current = false;
    };
  }, [openOnly, tick]);
  const reload = () => setTick((n) => n + 1);
  return html`<section>
    <div class="row">
      <h2 class="grow">${t("conflicts.title")}</h2>
      <button class="secondary" onClick=${reload}>${t("manager.refresh")}</button>
    </div>
    <div class="segmented" role="group" aria-label=${t("conflicts.which")}>
      ${[true, false].map((value) => html`<button aria-pressed=${String(openOnly === value)} onClick=${() => setOpenOnly(value)}>
        ${t(value ? "conflicts.open" : "conflicts.all")}</button>`)}
    </div>
    <${Failure} error=${state?.error} />
    ${state === null ? html`<p>${t("common.loading")}</p>` : null}
    ${state?.items && !state.items.length ? html`<p>${t(openOnly ? "conflicts.none_open" : "conflicts.none")}</p>` : null}
    <ul class="list">
      ${(state?.items ?? []).map((conflict) => html`<${Conflict} key=${conflict.id} conflict=${conflict}
        order=${state.orders.get(conflict.order_id)} people=${state.people} resolved=${reload} />`)}
    </ul>
  </section>`;
}
