// Skills: their own resource, keyed by code (users and service items name them).
import { Section } from "../../lib/records.js";
import { html } from "../../lib/ui.js";

export default function Skills() {
  return html`<${Section} title="admin.skills.title" path="/api/skills" keyOf=${(skill) => skill.code}
    fields=${[
      { name: "code", label: "admin.field.code", required: true, only: "create", hint: "admin.hint.code" },
      { name: "name", label: "admin.field.name", required: true },
    ]}
    columns=${[
      ["admin.field.code", (skill) => skill.code],
      ["admin.field.name", (skill) => skill.name],
    ]} />`;
}
