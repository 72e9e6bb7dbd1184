// Departments: what orders are routed to and managers manage.
import { Section } from "../../lib/records.js";
import { html } from "../../lib/ui.js";

export default function Departments() {
  return html`<${Section} title="admin.departments.title" path="/api/departments"
    fields=${[{ name: "name", label: "admin.field.name", required: true }]}
    columns=${[["admin.field.name", (department) => department.name]]} />`;
}
