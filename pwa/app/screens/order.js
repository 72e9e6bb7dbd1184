import texts from "../i18n/orders.js";
import { addTexts, formatTime, t } from "../lib/i18n.js";
import { localOrder } from "../lib/orders.js";
import { newId, queue } from "../lib/sync.js";
import { html, useLive, useNow, useState } from "../lib/ui.js";
import { Actions } from "./order/actions.js";
import { CheckIn } from "./order/checkin.js";
import { Attach, Photo, Signature } from "./order/files.js";
import { Requester } from "./order/requester.js";
import { PartsAndLabour } from "./order/work.js";
import { SlaClock } from "./orders.js";

addTexts(texts);

const FIELD_ROLES = ["technician", "inspector"];

// Who may change the description (server/workorders/operations.py, _check_editable).
function mayDescribe(order, user) {
  if (["manager", "admin"].includes(user.role)) return true;
  if (FIELD_ROLES.includes(user.role)) return order.assignee_id === user.id;
  return user.role === "requester" && order.status === "new";
}

function Description({ order, user }) {
  const [text, setText] = useState(null);
  if (text === null) {
    return html`${order.description ? html`<p data-testid="description">${order.description}</p>` : null}
      ${mayDescribe(order, user) && order.version > 0
        ? html`<button class="link" onClick=${() => setText(order.description ?? "")}>${t("order.edit_description")}</button>`
        : null}`;
  }
  async function save(event) {
    event.preventDefault();
    await queue("edit_order", {
      order_id: order.id,
      base_version: order.version,
      changes: { description: text },
    });
    setText(null);
  }
  return html`<form class="card" onSubmit=${save}>
    <label for="description">${t("order.description")}</label>
    <textarea id="description" value=${text} maxlength="10000" onInput=${(e) => setText(e.target.value)}></textarea>
    <div class="actions">
      <button type="button" class="secondary" onClick=${() => setText(null)}>${t("common.cancel")}</button>
      <button type="submit">${t("common.save")}</button>
    </div>
  </form>`;
}

function Comment({ order }) {
  const [body, setBody] = useState("");
  async function send(event) {
    event.preventDefault();
    await queue("add_comment", { order_id: order.id, id: newId(), body: body.trim() });
    setBody("");
  }
  return html`<form class="card" onSubmit=${send}>
    <label for="comment">${t("comment.label")}</label>
    <textarea id="comment" value=${body} onInput=${(e) => setBody(e.target.value)} maxlength="10000"></textarea>
    <div class="actions"><button type="submit" disabled=${!body.trim()}>${t("comment.send")}</button></div>
  </form>`;
}

function Timeline({ events }) {
  return html`<ol class="timeline" data-testid="timeline">
    ${events.map(
      (event) => html`<li class=${event.pending ? "pending" : ""} key=${event.id}>
        <div class="when">${formatTime(event.device_time || event.at)}${event.actor_name ? ` · ${event.actor_name}` : ""}
          ${event.pending ? html` · <span class="badge pending">${t("common.pending")}</span>` : null}</div>
        <div>${t(`event.${event.kind}`)}${event.changes?.status ? `: ${t(`status.${event.changes.status[1]}`)}` : ""}</div>
        ${event.note ? html`<div>${event.note}</div>` : null}
      </li>`,
    )}
  </ol>`;
}

export default function Order({ params, user }) {
  const now = useNow();
  const data = useLive(() => localOrder(params.id), [params.id]);
  if (data === undefined) return html`<p>${t("common.loading")}</p>`;
  if (data === null || data.error) return html`<p>${t("order.not_here")}</p><a href="#/">${t("common.back")}</a>`;
  const { order, site, events, attachments, checkins } = data;
  const working = FIELD_ROLES.includes(user.role) && order.assignee_id === user.id;
  const mayFlag = user.role !== "requester" && order.version > 0;
  const flag = (name) =>
    queue("set_flags", { order_id: order.id, [name]: !order[name] });
  return html`<article data-testid="order-detail">
    <div class="row">
      <span class=${`badge ${order.priority}`}>${order.priority}</span>
      <span class="number">${order.number}</span>
      <span class="grow"></span>
      ${order.pending ? html`<span class="badge pending">${t("common.pending")}</span>` : null}
    </div>
    <h2>${order.title}</h2>
    <p class="row"><strong data-testid="status">${t(`status.${order.status}`)}</strong><span class="grow"></span><${SlaClock} order=${order} now=${now} /></p>
    ${site ? html`<p>${site.name}${site.address ? ` · ${site.address}` : ""}</p>` : null}
    ${order.location ? html`<p class="hint">${t("order.location", { lat: order.location.latitude.toFixed(5), lon: order.location.longitude.toFixed(5) })} ${order.location.address}</p>` : null}
    <${Description} order=${order} user=${user} />
    ${order.kind === "project" && order.version > 0
      ? html`<p><a href=${`#/projects/${order.parent_id ?? order.id}`}>${t("order.gantt")}</a></p>`
      : null}
    ${mayFlag
      ? html`<div class="row">
          <button class="secondary" aria-pressed=${String(Boolean(order.starred))} onClick=${() => flag("starred")}>★ ${t("orders.starred")}</button>
          <button class="secondary" aria-pressed=${String(Boolean(order.important))} onClick=${() => flag("important")}>! ${t("orders.important")}</button>
        </div>`
      : null}
    ${order.version > 0 ? html`<${Actions} order=${order} user=${user} />` : null}
    ${working && order.version > 0 ? html`<${CheckIn} order=${order} site=${site} checkins=${checkins} events=${events} user=${user} />` : null}
    ${user.role === "requester" && order.version > 0 ? html`<${Requester} order=${order} />` : null}
    <h2>${t("attachment.title")}</h2>
    <div class="photos">${attachments.map((attachment) => html`<${Photo} attachment=${attachment} key=${attachment.id} />`)}
      ${events.filter((e) => e.pending && e.kind === "attach_file").map((e) => html`<${Photo} attachment=${{ ...e.args, present: false }} key=${e.id} />`)}</div>
    <${Attach} order=${order} />
    ${working ? html`<${Signature} order=${order} />` : null}
    ${working && order.version > 0 ? html`<${PartsAndLabour} order=${order} />` : null}
    <${Comment} order=${order} />
    <h2>${t("order.timeline")}</h2>
    <${Timeline} events=${events} />
  </article>`;
}
