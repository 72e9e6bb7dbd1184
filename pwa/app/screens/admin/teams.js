// Teams, each in a department (or none).
import { choices } from "../../lib/forms.js";
import { namer, Section, useCollection } from "../../lib/records.js";
import { html } from "../../lib/ui.js";

export default function Teams() {
  const departments = useCollection("/api/departments");
  const department = namer(departments);
  return html`<${Section} title="admin.teams.title" path="/api/teams"
    filters=${[{ name: "department_id", label: "admin.field.department", type: "select", options: choices(departments) }]}
    fields=${[
      { name: "name", label: "admin.field.name", required: true },
      { name: "department_id", label: "admin.field.department", type: "select", options: choices(departments) },
    ]}
    columns=${[
      ["admin.field.name", (team) => team.name],
      ["admin.field.department", (team) => department(team.department_id)],
    ]} />`;
}
