// The service catalogue: what customers may ask for, its skills, priority and department.
import { choices } from "../../lib/forms.js";
import { namer, Section, useCollection } from "../../lib/records.js";
import { html } from "../../lib/ui.js";
import { priorityChoices } from "./options.js";

export default function Catalogue() {
  const departments = useCollection("/api/departments");
  const skills = useCollection("/api/skills");
  const department = namer(departments);
  const skill = namer(skills, (s) => s.name, (s) => s.code);
  return html`<${Section} title="admin.catalogue.title" path="/api/service-items"
    filters=${[{ name: "department_id", label: "admin.field.department", type: "select", options: choices(departments) }]}
    fields=${[
      { name: "name", label: "admin.field.name", required: true },
      { name: "default_priority", label: "admin.field.default_priority", type: "select", required: true, options: priorityChoices(), initial: "P3" },
      { name: "department_id", label: "admin.field.department", type: "select", options: choices(departments) },
      { name: "required_skills", label: "admin.field.required_skills", type: "checks", options: choices(skills, (s) => s.name, (s) => s.code), wide: true },
    ]}
    columns=${[
      ["admin.field.name", (item) => item.name],
      ["admin.field.default_priority", (item) => html`<span class=${`badge ${item.default_priority}`}>${item.default_priority}</span>`],
      ["admin.field.department", (item) => department(item.department_id)],
      ["admin.field.required_skills", (item) => item.required_skills.map(skill).join(", ")],
    ]} />`;
}
