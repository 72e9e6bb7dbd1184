// Forms whose every rule is the server's: fields described as data, the values sent
// as the API wants them, and each validation message shown beside its own field.
import { ApiError, OFFLINE } from "./api.js";
import { Failure } from "./failure.js";
import { t } from "./i18n.js";
import { html, useState } from "./ui.js";

// Codes whose details map each field to its own message; elsewhere the details name
// the offending value and the error's message says what is wrong with it.
const PER_FIELD = new Set(["invalid_targets", "invalid_template", "invalid_fields", "invalid_calendar"]);
const MISSING = /missing required field `(\w+)`/;

// The server's complaints as {path: message}, paths as the server writes them
// ("name", "order.title", "fields[1].name"). A 400 validation_error lists msgspec's
// findings ([{key, message}]; a missing field is reported on its parent, "data" being
// the body itself); the services' 422s and 409s are {field: message or value}.
export function problemsOf(error) {
  const found = {};
  if (!(error instanceof ApiError)) return found;
  const { details } = error;
  if (Array.isArray(details)) {
    for (const { key, message } of details) {
      const missing = message?.match(MISSING);
      const parent = key === "data" ? "" : key;
      found[missing ? [parent, missing[1]].filter(Boolean).join(".") : key] = message;
    }
  } else if (details && typeof details === "object") {
    for (const [key, value] of Object.entries(details)) {
      found[key] = PER_FIELD.has(error.code) ? String(value) : error.message;
    }
  }
  return found;
}

const rootOf = (path) => path.split(/[.[]/)[0];
const inside = (path, outer) => path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);

// The first message about `path` or anything in it ("skills[2]" for "skills"), leaving
// out the paths another element shows.
function about(problems, path, except = new Set()) {
  return Object.entries(problems).find(([p]) => inside(p, path) && !except.has(p))?.[1];
}

export function Problem({ id, message }) {
  return message ? html`<span class="problem" id=${id} role="alert">${message}</span>` : null;
}

// The message at the top of a refused form, with whatever no field of it shows.
export function Refusal({ error, problems, claimed }) {
  if (!error) return null;
  if (error.code === OFFLINE) return html`<${Failure} error=${error} />`;
  const rest = Object.entries(problems).filter(
    ([path, message]) => !claimed(path) && message !== error.message,
  );
  return html`<div class="error" role="alert" data-testid="refusal">
    <p>${t("admin.refused", { message: error.message })}</p>
    ${rest.length ? html`<ul>${rest.map(([path, message]) => html`<li>${path}: ${message}</li>`)}</ul>` : null}
  </div>`;
}

// [value, text] pairs of a list of records, for select and checks fields.
export function choices(items, text = (item) => item.name, value = (item) => item.id) {
  return (items ?? []).map((item) => [value(item), text(item)]);
}

const pad = (n) => String(n).padStart(2, "0");

// The form's own value of a field from the record's, and back to the API's.
export function decode(field, value) {
  if (field.decode) return field.decode(value);
  switch (field.type) {
    case "checkbox":
      return Boolean(value);
    case "checks":
      return value ?? [];
    case "rows":
      return (value ?? []).map((row) => decodeAll(field.columns, row));
    case "datetime": {
      if (!value) return "";
      const d = new Date(value);
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }
    default:
      return value === null || value === undefined ? "" : String(value);
  }
}

export function encode(field, raw) {
  if (field.encode) return field.encode(raw);
  switch (field.type) {
    case "checkbox":
      return Boolean(raw);
    case "checks":
      return raw ?? [];
    case "rows":
      return (raw ?? []).map((row) => encodeAll(field.columns, row));
    case "number":
      return raw === "" || raw === null || raw === undefined ? null : Number(raw);
    case "datetime":
      return raw ? new Date(raw).toISOString() : null;
    default:
      // A required text stays "" so that the server says what it needs.
      return raw === "" || raw === null || raw === undefined ? (field.required ? "" : (field.empty ?? null)) : raw;
  }
}

const valueAt = (record, path) => path.split(".").reduce((at, key) => at?.[key], record);

export function decodeAll(fields, record) {
  return Object.fromEntries(
    fields.filter((f) => f.type !== "view").map((f) => [f.name, record ? decode(f, valueAt(record, f.name)) : (f.initial ?? decode(f, undefined))]),
  );
}

// The API's values of the fields that apply (`when`), leaving out views and the
// form's own choices (`local`).
export function encodeAll(fields, values) {
  const sent = fields.filter((f) => f.type !== "view" && !f.local && (!f.when || f.when(values)));
  return Object.fromEntries(sent.map((f) => [f.name, encode(f, values[f.name])]));
}

// {"order.title": x} → {order: {title: x}}
export function nest(flat) {
  const body = {};
  for (const [path, value] of Object.entries(flat)) {
    const keys = path.split(".");
    const last = keys.pop();
    keys.reduce((at, key) => (at[key] ??= {}), body)[last] = value;
  }
  return body;
}

// `only`: "create" or "edit" for a field that exists on one of them.
export const visible = (field, values, creating) =>
  field.only !== (creating ? "edit" : "create") && (!field.when || field.when(values));

// What a save sends: on create every value given, on edit only what changed (an
// empty password field means "keep the password"). `whole`: prefixes of objects the
// API replaces as one ("order."): any change in one sends all of it.
export function changes(fields, values, before, creating, whole = []) {
  const shown = fields.filter((f) => visible(f, values, creating));
  const now = encodeAll(shown, values);
  const then = encodeAll(shown, before);
  const changed = (name, value) =>
    JSON.stringify(value) !== JSON.stringify(then[name]) && !(value === null && shown.find((f) => f.name === name).type === "password");
  const sent = Object.fromEntries(
    Object.entries(now).filter(([name, value]) => (creating ? value !== null : changed(name, value))),
  );
  for (const group of creating ? [] : whole) {
    if (!Object.keys(sent).some((name) => name.startsWith(group))) continue;
    for (const [name, value] of Object.entries(now)) if (name.startsWith(group)) sent[name] = value;
  }
  return sent;
}

// The id of the input of `path` ("fields[1].name" → "f-fields-1-name").
export const idOf = (path) => `f-${path.replace(/[^\w]+/g, "-")}`;

function options(field, values) {
  return typeof field.options === "function" ? field.options(values) : (field.options ?? []);
}

// One input, named by `path` (for its id and its problem), without its label.
export function Control({ field, path, value, change, problem, labelled, label, values = {} }) {
  const id = idOf(path);
  const common = {
    id,
    name: path,
    "aria-invalid": problem ? "true" : null,
    "aria-describedby": problem ? `${id}-problem` : field.hint ? `${id}-hint` : null,
    "aria-label": labelled ? null : (label ?? t(field.label)),
    "aria-required": field.required ? "true" : null,
  };
  switch (field.type) {
    case "select":
      return html`<select ...${common} value=${value} onChange=${(e) => change(e.target.value)}>
        <option value="">${t(field.empty_text ?? (field.required ? "admin.choose" : "admin.none"))}</option>
        ${options(field, values).map(([v, text]) => html`<option value=${v}>${text}</option>`)}
      </select>`;
    case "checkbox":
      return html`<input ...${common} type="checkbox" checked=${value} onChange=${(e) => change(e.target.checked)} />`;
    case "textarea":
      return html`<textarea ...${common} value=${value} onInput=${(e) => change(e.target.value)}></textarea>`;
    default:
      return html`<input ...${common} type=${field.type === "datetime" ? "datetime-local" : (field.type ?? "text")}
        step=${field.step ?? (field.type === "number" ? "any" : null)} autocomplete=${field.type === "password" ? "new-password" : "off"}
        value=${value} onInput=${(e) => change(e.target.value)} />`;
  }
}

function Checks({ field, values, set }) {
  const chosen = values[field.name] ?? [];
  const toggle = (v, on) => set(field.name, on ? [...chosen, v] : chosen.filter((x) => x !== v));
  return html`<fieldset class="checks"><legend>${t(field.label)}</legend>
    ${options(field, values).map(
      ([v, text]) => html`<label class="check"><input type="checkbox" checked=${chosen.includes(v)}
        onChange=${(e) => toggle(v, e.target.checked)} />${text}</label>`,
    )}
  </fieldset>`;
}

export function Field(props) {
  const { field, values, set, problems } = props;
  const id = idOf(field.name);
  const problem = field.type === "rows" ? null : about(problems, field.name);
  let body;
  if (field.render) body = field.render(props);
  else if (field.type === "rows") body = html`<${Rows} ...${props} />`;
  else if (field.type === "checks") body = html`<${Checks} ...${props} />`;
  else {
    const control = html`<${Control} field=${field} path=${field.name} value=${values[field.name]}
      change=${(v) => set(field.name, v)} problem=${problem} labelled=${true} values=${values} />`;
    body = field.type === "checkbox"
      ? html`<label class="check" for=${id}>${control}${t(field.label)}</label>`
      : html`<label for=${id}>${t(field.label)}${field.required ? html` <span class="hint">(${t("common.required")})</span>` : null}</label>${control}`;
  }
  return html`<div class=${`field field-${field.type ?? "text"} ${field.wide ? "wide" : ""}`} data-field=${field.name}>
    ${body}
    ${field.hint ? html`<p class="hint" id=${`${id}-hint`}>${t(field.hint)}</p>` : null}
    <${Problem} id=${`${id}-problem`} message=${problem} />
  </div>`;
}

const move = (list, from, to) => {
  const copy = [...list];
  copy.splice(to, 0, ...copy.splice(from, 1));
  return copy;
};

// A list of like rows (a template's fields, its checklist): add, remove, reorder.
function Rows({ field, values, set, problems }) {
  const rows = values[field.name] ?? [];
  const put = (next) => set(field.name, next);
  return html`<fieldset class="rows" data-rows=${field.name}><legend>${t(field.label)}</legend>
    <${Problem} id=${`${idOf(field.name)}-problem`} message=${problems[field.name]} />
    <div class="table-scroll"><table>
      <thead><tr>${field.columns.map((c) => html`<th scope="col">${t(c.label)}</th>`)}<th><span class="visually-hidden">${t("admin.row_actions")}</span></th></tr></thead>
      <tbody>${rows.map((row, i) => {
        const at = `${field.name}[${i}]`;
        const shown = field.columns.filter((column) => !column.when || column.when(row));
        const cells = new Set(shown.map((column) => `${at}.${column.name}`));
        return html`<tr data-row=${i}>
        ${field.columns.map((column) => {
          if (!shown.includes(column)) return html`<td></td>`;
          const path = `${at}.${column.name}`;
          return html`<td><${Control} field=${column} path=${path} value=${row[column.name]} problem=${problems[path]} values=${row}
            label=${t("admin.row_cell", { column: t(column.label), n: i + 1 })}
            change=${(v) => put(rows.map((r, j) => (j === i ? { ...r, [column.name]: v } : r)))} />
            <${Problem} id=${`${idOf(path)}-problem`} message=${problems[path]} /></td>`;
        })}
        <td class="row-actions">
          <${Problem} id=${`${idOf(at)}-problem`} message=${about(problems, at, cells)} />
          <button type="button" class="secondary" disabled=${i === 0} onClick=${() => put(move(rows, i, i - 1))}
            aria-label=${t("admin.move_up", { n: i + 1 })}>↑</button>
          <button type="button" class="secondary" disabled=${i === rows.length - 1} onClick=${() => put(move(rows, i, i + 1))}
            aria-label=${t("admin.move_down", { n: i + 1 })}>↓</button>
          <button type="button" class="secondary" onClick=${() => put(rows.filter((_, j) => j !== i))}
            aria-label=${t("admin.remove_row", { n: i + 1 })}>✕</button>
        </td></tr>`;
      })}
      </tbody></table></div>
    <button type="button" class="secondary" data-add=${field.name}
      onClick=${() => put([...rows, decodeAll(field.columns, null)])}>${t(field.add)}</button>
  </fieldset>`;
}

// Create or edit one record. `save(body)` sends it; `locate(problems, error, values)`
// turns the server's paths into this form's where they differ.
export function RecordForm({ title, fields, record, creating, save, remove, done, cancel, locate, toBody, extra }) {
  const [before] = useState(() => decodeAll(fields, record));
  const [values, setValues] = useState(before);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const set = (name, value) => setValues((v) => (typeof name === "object" ? { ...v, ...name } : { ...v, [name]: value }));
  const problems = error ? (locate ?? ((p) => p))(problemsOf(error), error, values) : {};
  const names = new Set(fields.filter((f) => visible(f, values, creating)).map((f) => f.name));
  const claimed = (path) => names.has(path) || names.has(rootOf(path));

  async function run(action) {
    setBusy(true);
    setError(null);
    try {
      done(await action());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  function submit(event) {
    event.preventDefault();
    const flat = (toBody ?? changes)(fields, values, before, creating);
    run(() => save(nest(flat)));
  }
  return html`<form class="card admin-form" noValidate onSubmit=${submit} data-testid="record-form">
    <h3>${title}</h3>
    <${Refusal} error=${error} problems=${problems} claimed=${claimed} />
    <div class="form-grid">
      ${fields.filter((f) => visible(f, values, creating)).map(
        (field) => html`<${Field} field=${field} values=${values} set=${set} problems=${problems} creating=${creating} />`,
      )}
    </div>
    <div class="actions">
      <button type="submit" disabled=${busy}>${t("common.save")}</button>
      <button type="button" class="secondary" onClick=${cancel}>${t("common.cancel")}</button>
      ${extra ? extra({ run, busy }) : null}
      ${remove && !creating && !confirming
        ? html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>${t("admin.delete")}</button>`
        : null}
    </div>
    ${confirming
      ? html`<div class="banner" role="alertdialog" aria-label=${t("admin.delete_confirm")}>
          <p>${t("admin.delete_confirm")}</p>
          <button type="button" class="danger" disabled=${busy} onClick=${() => run(async () => (await remove(), null))}>${t("admin.delete_yes")}</button>
          <button type="button" class="secondary" onClick=${() => setConfirming(false)}>${t("common.cancel")}</button>
        </div>`
      : null}
  </form>`;
}
