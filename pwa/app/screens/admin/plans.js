// Recurring plans (server/plans/): a schedule, given as plain fields or as an RRULE
// line, and the order each occurrence opens. Pause, resume, end.
import { api } from "../../lib/api.js";
import { changes, choices } from "../../lib/forms.js";
import { formatTime, t } from "../../lib/i18n.js";
import { Section, useCollection } from "../../lib/records.js";
import { html } from "../../lib/ui.js";
import { kindChoices, priorityChoices } from "./options.js";

const FREQUENCIES = ["daily", "weekly", "monthly", "yearly"];
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const simple = (values) => values.schedule === "simple";

// An edit sends the whole order and the whole recurrence when any part of them changed:
// the API replaces each as one.
const toBody = (fields, values, before, creating) => changes(fields, values, before, creating, ["order.", "recurrence."]);

function PlanActions({ plan, run, busy }) {
  const action = plan.paused ? "resume" : "pause";
  return html`<button type="button" class="secondary" disabled=${busy}
    onClick=${() => run(() => api(`/api/plans/${plan.id}/${action}`, { method: "POST" }))}>${t(`admin.plans.${action}`)}</button>`;
}

export default function Plans() {
  const sites = useCollection("/api/sites");
  const items = useCollection("/api/service-items");
  const departments = useCollection("/api/departments");
  const teams = useCollection("/api/teams");
  const users = useCollection("/api/users");
  const templates = useCollection("/api/templates");
  const workers = users.filter((user) => ["technician", "inspector"].includes(user.role) && user.active);
  const fields = [
    { name: "name", label: "admin.field.name", required: true },
    { name: "starts_at", label: "admin.plans.starts_at", type: "datetime", required: true },
    { name: "timezone", label: "admin.plans.timezone", required: true, initial: "Asia/Shanghai" },
    {
      name: "schedule", label: "admin.plans.schedule", type: "select", required: true, local: true, initial: "simple",
      // A saved plan has only its RRULE line.
      decode: (value) => value ?? "rrule",
      options: () => [["simple", t("admin.plans.simple")], ["rrule", t("admin.plans.rrule")]],
    },
    {
      name: "recurrence.frequency", label: "admin.plans.frequency", type: "select", required: true, when: simple,
      initial: "weekly", options: () => FREQUENCIES.map((f) => [f, t(`admin.plans.${f}`)]),
    },
    { name: "recurrence.interval", label: "admin.plans.interval", type: "number", step: 1, initial: "1", when: simple },
    {
      name: "recurrence.weekdays", label: "admin.plans.weekdays", type: "checks", wide: true, when: simple,
      options: () => WEEKDAYS.map((day) => [day, t(`admin.weekday.${day}`)]),
    },
    { name: "recurrence.month_day", label: "admin.plans.month_day", type: "number", step: 1, when: (v) => simple(v) && ["monthly", "yearly"].includes(v["recurrence.frequency"]) },
    { name: "recurrence.count", label: "admin.plans.count", type: "number", step: 1, when: simple },
    { name: "rrule", label: "admin.plans.rrule", required: true, hint: "admin.hint.rrule", when: (v) => v.schedule === "rrule" },
    { name: "lookahead_days", label: "admin.plans.lookahead", type: "number", step: 1, initial: "7" },
    { name: "due_minutes", label: "admin.plans.due_minutes", type: "number", step: 1, initial: "1440" },
    { name: "pause_after", label: "admin.plans.pause_after", type: "number", step: 1, hint: "admin.hint.pause_after" },
    { name: "order.title", label: "admin.plans.order_title", required: true },
    { name: "order.kind", label: "admin.field.kind", type: "select", required: true, initial: "planned", options: kindChoices() },
    { name: "order.priority", label: "admin.field.priority", type: "select", options: priorityChoices() },
    { name: "order.site_id", label: "admin.field.site", type: "select", options: choices(sites) },
    { name: "order.service_item_id", label: "admin.field.service_item", type: "select", options: choices(items) },
    { name: "order.department_id", label: "admin.field.department", type: "select", options: choices(departments) },
    { name: "order.team_id", label: "admin.field.team", type: "select", options: choices(teams) },
    { name: "order.assignee_id", label: "admin.field.assignee", type: "select", options: choices(workers, (u) => u.display_name) },
    { name: "order.template_id", label: "admin.field.template", type: "select", options: choices(templates) },
    { name: "order.description", label: "admin.field.description", type: "textarea", wide: true },
  ];
  return html`<${Section} title="admin.plans.title" path="/api/plans" fields=${fields} toBody=${toBody}
    extra=${(plan, { run, busy }) => html`<${PlanActions} plan=${plan} run=${run} busy=${busy} />`}
    columns=${[
      ["admin.field.name", (plan) => plan.name],
      ["admin.plans.schedule", (plan) => html`<code>${plan.rrule}</code>`],
      ["admin.plans.next", (plan) => (plan.upcoming[0] ? formatTime(plan.upcoming[0]) : "")],
      ["admin.plans.order_title", (plan) => plan.order.title],
      ["admin.plans.state", (plan) => html`<span class=${`badge ${plan.paused ? "inactive" : ""}`}>${t(plan.paused ? "admin.plans.paused" : "admin.plans.running")}</span>`],
    ]} />`;
}
