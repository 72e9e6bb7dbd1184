// SLA rules edited as one table: a rule per pair of rows (response, resolution) with
// its minutes per priority and its alarm settings. On save each changed rule goes to
// the API; whatever it refuses stays as typed, with the server's message beside the
// cell it is about.
import { api } from "../../lib/api.js";
import { Failure } from "../../lib/failure.js";
import { changes, choices, Control, decodeAll, idOf, nest, Problem, problemsOf, Refusal } from "../../lib/forms.js";
import { t } from "../../lib/i18n.js";
import { namer, useCollection, useRemote } from "../../lib/records.js";
import { html, useState } from "../../lib/ui.js";
import { PRIORITIES } from "./options.js";

const CLOCKS = ["response_minutes", "resolution_minutes"];
const minutes = (clock, p) => ({ name: `${clock}.${p}`, label: `admin.sla.${clock}`, type: "number", step: 1 });
const SETTINGS = [
  { name: "warn_at_percent", label: "admin.sla.warn_at_percent", type: "number", step: 1 },
  { name: "alarm_every_minutes", label: "admin.sla.alarm_every_minutes", type: "number", step: 1 },
  { name: "suspend_after_alarms", label: "admin.sla.suspend_after_alarms", type: "number", step: 1 },
  { name: "pause_when_suspended", label: "admin.sla.pause_when_suspended", type: "checkbox" },
];
const SCOPE = [
  { name: "customer_group_id", label: "admin.sla.customer_group", type: "select", only: "create" },
  { name: "service_item_id", label: "admin.sla.service_item", type: "select", only: "create" },
];
const FIELDS = [...CLOCKS.flatMap((clock) => PRIORITIES.map((p) => minutes(clock, p))), ...SETTINGS, ...SCOPE];
const NEW = "new";
const claimed = (path) => FIELDS.some((f) => f.name === path) || CLOCKS.includes(path);

// Where the server's complaints go. A 400 names the cell itself
// ("response_minutes.P3"). invalid_targets (server/sla/services.py, check_targets)
// names the list and starts its message with the priority it is about ("P3 (100 min)
// is shorter than P2 …", "P1: resolution (240 min) before response …"): that cell.
// Without a priority (every target 0) it is about the whole list: its row.
function locate(error) {
  const problems = problemsOf(error);
  if (error.code !== "invalid_targets") return problems;
  return Object.fromEntries(
    Object.entries(problems).map(([list, message]) => {
      const priority = message.match(/^(P[1-5])\b/)?.[1];
      return [priority ? `${list}.${priority}` : list, message];
    }),
  );
}

function Cell({ field, rule, values, set, problems }) {
  const path = `${rule}.${field.name}`;
  return html`<td data-cell=${field.name}>
    <${Control} field=${field} path=${path} value=${values[field.name]} problem=${problems[field.name]}
      label=${t("admin.sla.cell", { what: t(field.label), p: field.name.split(".")[1] ?? "" })}
      change=${(value) => set(field.name, value)} />
    <${Problem} id=${`${idOf(path)}-problem`} message=${problems[field.name]} />
  </td>`;
}

function Rule({ id, scope, values, set, problems, remove, groups, items }) {
  const creating = id === NEW;
  const row = (clock) =>
    PRIORITIES.map((p) => html`<${Cell} field=${minutes(clock, p)} rule=${id} values=${values} set=${set} problems=${problems} />`);
  const scopeFields = [
    { ...SCOPE[0], options: choices(groups) },
    { ...SCOPE[1], options: choices(items) },
  ];
  return html`<tbody data-rule=${id}>
    <tr>
      <th scope="rowgroup" rowspan="2" class="scope">
        ${creating
          ? scopeFields.map((field) => html`<div data-cell=${field.name}><label for=${idOf(`new.${field.name}`)}>${t(field.label)}</label>
              <${Control} field=${field} path=${`new.${field.name}`} value=${values[field.name]} labelled=${true}
                problem=${problems[field.name]} values=${values} change=${(value) => set(field.name, value)} />
              <${Problem} id=${`${idOf(`new.${field.name}`)}-problem`} message=${problems[field.name]} /></div>`)
          : scope}
      </th>
      <th scope="row" data-cell="response_minutes">${t("admin.sla.response_minutes")}
        <${Problem} id=${`${id}-response-problem`} message=${problems.response_minutes} /></th>
      ${row("response_minutes")}
      ${SETTINGS.map((field) => html`<${Cell} field=${field} rule=${id} values=${values} set=${set} problems=${problems} />`)}
      <td rowspan="2">${remove}</td>
    </tr>
    <tr>
      <th scope="row" data-cell="resolution_minutes">${t("admin.sla.resolution_minutes")}
        <${Problem} id=${`${id}-resolution-problem`} message=${problems.resolution_minutes} /></th>
      ${row("resolution_minutes")}
      <td colspan=${SETTINGS.length}></td>
    </tr>
  </tbody>`;
}

function Delete({ confirm }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return html`<button class="secondary" onClick=${() => setAsking(true)}>${t("admin.delete")}</button>`;
  return html`<div role="alertdialog" aria-label=${t("admin.delete_confirm")}>
    <p>${t("admin.delete_confirm")}</p>
    <button class="danger" onClick=${confirm}>${t("admin.delete_yes")}</button>
    <button class="secondary" onClick=${() => setAsking(false)}>${t("common.cancel")}</button>
  </div>`;
}

export default function SlaRules() {
  const rules = useRemote(() => api("/api/sla/rules/"));
  const groups = useCollection("/api/customer-groups");
  const items = useCollection("/api/service-items");
  const [drafts, setDrafts] = useState({});
  const [errors, setErrors] = useState({});
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const group = namer(groups);
  const item = namer(items);
  const list = rules.value?.items ?? [];
  const before = (rule) => decodeAll(FIELDS, rule);
  const valuesOf = (id, rule) => drafts[id] ?? before(rule);
  const setter = (id, rule) => (name, value) =>
    setDrafts((all) => ({ ...all, [id]: { ...(all[id] ?? before(rule)), [name]: value } }));

  async function save() {
    setBusy(true);
    setNotice(null);
    const refused = {};
    let saved = 0;
    for (const [id, values] of Object.entries(drafts)) {
      const rule = list.find((r) => r.id === id) ?? null;
      const creating = id === NEW;
      const body = nest(changes(FIELDS, values, before(rule), creating, CLOCKS.map((clock) => `${clock}.`)));
      if (!creating && !Object.keys(body).length) continue;
      try {
        await api(creating ? "/api/sla/rules/" : `/api/sla/rules/${id}`, { method: creating ? "POST" : "PATCH", body });
        saved += 1;
      } catch (error) {
        refused[id] = error;
      }
    }
    setDrafts((all) => Object.fromEntries(Object.entries(all).filter(([id]) => refused[id])));
    setErrors(refused);
    setNotice(t("admin.sla.saved", { saved, refused: Object.keys(refused).length }));
    setBusy(false);
    rules.reload();
  }
  async function remove(id) {
    try {
      await api(`/api/sla/rules/${id}`, { method: "DELETE" });
      setDrafts(({ [id]: _, ...rest }) => rest);
      rules.reload();
    } catch (error) {
      setErrors((all) => ({ ...all, [id]: error }));
    }
  }
  const template = list.find((r) => !r.customer_group_id && !r.service_item_id) ?? list[0] ?? null;
  const scopeOf = (rule) =>
    html`${rule.customer_group_id ? group(rule.customer_group_id) : t("admin.sla.any_group")}<br />
      <span class="hint">${rule.service_item_id ? item(rule.service_item_id) : t("admin.sla.any_item")}</span>`;
  const shown = [...list.map((rule) => [rule.id, rule]), ...(NEW in drafts ? [[NEW, null]] : [])];

  return html`<section class="sla-rules">
    <h2>${t("admin.sla_rules.title")}</h2>
    <p class="hint">${t("admin.sla.help")}</p>
    <${Failure} error=${rules.error} />
    ${notice ? html`<p class=${Object.keys(errors).length ? "error" : "ok"} role="status" data-testid="sla-notice">${notice}</p>` : null}
    ${shown.filter(([id]) => errors[id]).map(
      ([id, rule]) => html`<div class="rule-refusal" data-refusal=${id}>
        <strong>${rule ? scopeOf(rule) : t("admin.sla.add")}</strong>
        <${Refusal} error=${errors[id]} problems=${locate(errors[id])} claimed=${claimed} />
      </div>`,
    )}
    ${rules.value
      ? html`<div class="table-scroll"><table class="sla-table">
          <thead>
            <tr>
              <th scope="col" rowspan="2">${t("admin.sla.scope")}</th>
              <th scope="col" rowspan="2">${t("admin.sla.clock")}</th>
              <th scope="colgroup" colspan=${PRIORITIES.length}>${t("admin.sla.minutes")}</th>
              ${SETTINGS.map((field) => html`<th scope="col" rowspan="2">${t(field.label)}</th>`)}
              <th scope="col" rowspan="2"><span class="visually-hidden">${t("admin.row_actions")}</span></th>
            </tr>
            <tr>${PRIORITIES.map((p) => html`<th scope="col">${p}</th>`)}</tr>
          </thead>
          ${shown.map(([id, rule]) => html`<${Rule} key=${id} id=${id} scope=${rule ? scopeOf(rule) : null}
            values=${valuesOf(id, rule ?? template)} set=${setter(id, rule ?? template)}
            problems=${errors[id] ? locate(errors[id]) : {}} groups=${groups} items=${items}
            remove=${id === NEW
              ? html`<button class="secondary" onClick=${() => setDrafts(({ [NEW]: _, ...rest }) => rest)}>${t("common.cancel")}</button>`
              : html`<${Delete} confirm=${() => remove(id)} />`} />`)}
        </table></div>
        <div class="actions">
          <button onClick=${save} disabled=${busy || !Object.keys(drafts).length} data-testid="sla-save">${t("admin.sla.save")}</button>
          <button class="secondary" disabled=${NEW in drafts}
            onClick=${() => setDrafts((all) => ({ ...all, [NEW]: { ...decodeAll(FIELDS, template), customer_group_id: "", service_item_id: "" } }))}>
            ${t("admin.sla.add")}</button>
        </div>`
      : null}
  </section>`;
}
