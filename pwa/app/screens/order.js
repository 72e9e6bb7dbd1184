import texts from "../i18n/orders.js";
import { call } from "../lib/api.js";
import { all } from "../lib/db.js";
import { downscale, keep } from "../lib/files.js";
import { addTexts, formatTime, t } from "../lib/i18n.js";
import { allowedActions, isOpen, needsReason } from "../lib/lifecycle.js";
import { localOrder } from "../lib/orders.js";
import { distanceM, position } from "../lib/position.js";
import { newId, queue } from "../lib/sync.js";
import { html, useEffect, useLive, useNow, useRef, useState } from "../lib/ui.js";
import { db } from "../lib/db.js";
import { SlaClock } from "./orders.js";

addTexts(texts);

const FIELD_ROLES = ["technician", "inspector"];

function Actions({ order, user }) {
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
            <textarea id="reason" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea>
            <div class="actions">
              <button class="secondary" onClick=${() => setAsking(null)}>${t("common.cancel")}</button>
              <button disabled=${!reason.trim()} onClick=${() => take(asking, reason.trim())}>${t("common.save")}</button>
            </div>
          </div>
        </div>`
      : null}
  </div>`;
}

function CheckIn({ order, site, checkins }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const last = checkins[checkins.length - 1];
  const inside = last && last.kind === "check_in";
  async function record(kind) {
    setBusy(true);
    setError(null);
    try {
      const fix = await position();
      const id = newId();
      const at = new Date();
      const distance = site ? distanceM(fix, site) : null;
      await queue(
        "check_in",
        {
          order_id: order.id,
          id,
          kind,
          latitude: fix.latitude,
          longitude: fix.longitude,
          accuracy_m: Math.min(fix.accuracy ?? 0, 100000),
        },
        at,
      );
      // Kept on the phone: the pull does not bring check-ins back.
      await (await db()).put("checkins", {
        id,
        order_id: order.id,
        kind,
        at: at.toISOString(),
        distance_m: distance,
        radius_m: site?.geofence_radius_m ?? null,
        accuracy_m: fix.accuracy,
      });
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="card" data-testid="checkin">
    <strong>${t("checkin.title")}</strong>
    ${checkins.map((entry) => {
      const within = entry.distance_m !== null && entry.distance_m <= entry.radius_m + (entry.accuracy_m ?? 0);
      return html`<p data-testid="checkin-entry">
        ${t(`checkin.${entry.kind}`)} · ${formatTime(entry.at)} ·
        ${entry.distance_m === null
          ? t("checkin.no_site")
          : html`${t("checkin.distance", { m: Math.round(entry.distance_m) })}
              <span class=${within ? "ok" : "error"}>${t(within ? "checkin.inside" : "checkin.outside", { r: Math.round(entry.radius_m) })}</span>`}
      </p>`;
    })}
    ${error ? html`<p class="error" role="alert">${t("checkin.failed", { message: error })}</p>` : null}
    <div class="actions">
      <button disabled=${busy} onClick=${() => record(inside ? "check_out" : "check_in")}>
        ${t(inside ? "checkin.check_out" : "checkin.check_in")}
      </button>
    </div>
  </div>`;
}

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

function Photo({ attachment }) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    let made = null;
    const local = db().then((database) => database.get("files", attachment.sha256));
    local
      .then((file) => file?.blob ?? (attachment.present ? call(`/api/blobs/${attachment.sha256}`).then((r) => r.blob()) : null))
      .then((blob) => {
        if (blob) {
          made = URL.createObjectURL(blob);
          setUrl(made);
        }
      })
      .catch(() => null);
    return () => made && URL.revokeObjectURL(made);
  }, [attachment.sha256, attachment.present]);
  const label = attachment.caption || t(`attachment.${attachment.kind}`);
  return url ? html`<img src=${url} alt=${label} />` : html`<span class="badge">${label}</span>`;
}

function Attach({ order }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function pick(event) {
    const files = [...event.target.files];
    event.target.value = "";
    setBusy(true);
    setError(null);
    try {
      for (const file of files) {
        const sha256 = await keep(await downscale(file), order.id);
        await queue("attach_file", { order_id: order.id, id: newId(), sha256, kind: "photo", caption: "" });
      }
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="actions">
    <label class="button secondary" for="photo">${busy ? t("common.loading") : t("attachment.add_photo")}</label>
    <input id="photo" class="visually-hidden" type="file" accept="image/*" capture="environment" multiple onChange=${pick} />
    ${error ? html`<p class="error">${t("common.error", { message: error })}</p>` : null}
  </div>`;
}

function Signature({ order }) {
  const canvas = useRef(null);
  const pad = useRef(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return undefined;
    let cancelled = false;
    import("../vendor/signature_pad.js").then(({ default: SignaturePad }) => {
      if (cancelled) return;
      const element = canvas.current;
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      element.width = element.offsetWidth * ratio;
      element.height = element.offsetHeight * ratio;
      element.getContext("2d").scale(ratio, ratio);
      pad.current = new SignaturePad(element, { backgroundColor: "rgb(255,255,255)" });
    });
    return () => {
      cancelled = true;
      pad.current?.off();
    };
  }, [open]);
  async function save() {
    if (!pad.current || pad.current.isEmpty()) return;
    const blob = await new Promise((resolve) => canvas.current.toBlob(resolve, "image/png"));
    const sha256 = await keep(blob, order.id);
    await queue("attach_file", { order_id: order.id, id: newId(), sha256, kind: "signature", caption: "" });
    setOpen(false);
  }
  if (!open) {
    return html`<div class="actions"><button class="secondary" onClick=${() => setOpen(true)}>${t("signature.add")}</button></div>`;
  }
  return html`<div class="card">
    <label>${t("signature.title")}</label>
    <canvas ref=${canvas} class="signature" aria-label=${t("signature.title")}></canvas>
    <div class="actions">
      <button class="secondary" onClick=${() => pad.current?.clear()}>${t("signature.clear")}</button>
      <button onClick=${save}>${t("common.save")}</button>
    </div>
  </div>`;
}

function PartsAndLabour({ order }) {
  const stock = useLive(() => all("stock"));
  const [line, setLine] = useState("");
  const [quantity, setQuantity] = useState(1);
  const [minutes, setMinutes] = useState("");
  const [done, setDone] = useState(null);
  const lines = Array.isArray(stock) ? stock.filter((row) => row.quantity > 0) : [];
  async function usePart(event) {
    event.preventDefault();
    const chosen = lines.find((row) => row.id === line);
    if (!chosen) return;
    await queue("use_part", {
      order_id: order.id,
      id: newId(),
      part_id: chosen.part_id,
      store_id: chosen.store_id,
      quantity: Number(quantity),
    });
    setDone(t("parts.used", { n: quantity, name: chosen.name }));
  }
  async function logLabour(event) {
    event.preventDefault();
    await queue("log_labour", { order_id: order.id, id: newId(), minutes: Number(minutes) });
    setDone(t("labour.logged", { m: minutes }));
    setMinutes("");
  }
  return html`<div class="card">
    <form onSubmit=${usePart}>
      <label for="part">${t("parts.title")}</label>
      <select id="part" value=${line} onChange=${(e) => setLine(e.target.value)}>
        <option value="">${lines.length ? t("parts.choose") : t("parts.none")}</option>
        ${lines.map((row) => html`<option value=${row.id}>${row.code} ${row.name} (${row.quantity} ${row.unit})</option>`)}
      </select>
      <label for="quantity">${t("parts.quantity")}</label>
      <input id="quantity" type="number" min="1" inputmode="numeric" value=${quantity} onInput=${(e) => setQuantity(e.target.value)} />
      <div class="actions"><button type="submit" disabled=${!line || Number(quantity) < 1}>${t("parts.use")}</button></div>
    </form>
    <form onSubmit=${logLabour}>
      <label for="minutes">${t("labour.minutes")}</label>
      <input id="minutes" type="number" min="1" max="1440" inputmode="numeric" value=${minutes} onInput=${(e) => setMinutes(e.target.value)} />
      <div class="actions"><button type="submit" disabled=${!(Number(minutes) >= 1)}>${t("labour.log")}</button></div>
    </form>
    ${done ? html`<p class="ok" role="status">${done}</p>` : null}
  </div>`;
}

function Requester({ order }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const [note, setNote] = useState("");
  const finished = ["resolved", "closed"].includes(order.status);
  return html`<div class="card" data-testid="requester-actions">
    ${isOpen(order.status)
      ? html`<label for="urge">${t("urge.note")}</label>
          <input id="urge" value=${note} onInput=${(e) => setNote(e.target.value)} />
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
          <textarea id="rating-comment" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
          <div class="actions"><button disabled=${!score} onClick=${() => queue("rate_order", { order_id: order.id, score, comment })}>
            ${t("rating.send")}</button></div>
        </fieldset>`
      : null}
    ${order.rating ? html`<p data-testid="rating">${t("rating.given", { n: order.rating })}</p>` : null}
  </div>`;
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
    ${mayFlag
      ? html`<div class="row">
          <button class="secondary" aria-pressed=${String(Boolean(order.starred))} onClick=${() => flag("starred")}>★ ${t("orders.starred")}</button>
          <button class="secondary" aria-pressed=${String(Boolean(order.important))} onClick=${() => flag("important")}>! ${t("orders.important")}</button>
        </div>`
      : null}
    ${order.version > 0 ? html`<${Actions} order=${order} user=${user} />` : null}
    ${working && order.version > 0 ? html`<${CheckIn} order=${order} site=${site} checkins=${checkins} />` : null}
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
