// Users: role, department, team, skills, language, contact, active. There is no
// deleting a user (their history names them): an admin deactivates instead.
import { choices } from "../../lib/forms.js";
import { t } from "../../lib/i18n.js";
import { namer, Section, useCollection } from "../../lib/records.js";
import { html } from "../../lib/ui.js";
import { languageChoices, roleChoices } from "./options.js";

export default function Users() {
  const departments = useCollection("/api/departments");
  const teams = useCollection("/api/teams");
  const skills = useCollection("/api/skills");
  const department = namer(departments);
  const team = namer(teams);
  const fields = [
    { name: "username", label: "admin.field.username", required: true, only: "create" },
    { name: "display_name", label: "admin.field.display_name", required: true },
    { name: "role", label: "admin.field.role", type: "select", required: true, options: roleChoices(), initial: "technician" },
    { name: "password", label: "admin.field.password", type: "password", required: true, only: "create" },
    { name: "password", label: "admin.field.new_password", type: "password", only: "edit", hint: "admin.hint.keep_password" },
    { name: "email", label: "admin.field.email", type: "email" },
    { name: "phone", label: "admin.field.phone", type: "tel" },
    { name: "department_id", label: "admin.field.department", type: "select", options: choices(departments) },
    {
      name: "team_id", label: "admin.field.team", type: "select",
      // A team of the chosen department (or any team while none is chosen).
      options: (values) => choices(teams.filter((x) => !values.department_id || x.department_id === values.department_id)),
    },
    { name: "language", label: "admin.field.language", type: "select", required: true, options: languageChoices(), initial: "zh-CN" },
    { name: "skills", label: "admin.field.skills", type: "checks", options: choices(skills, (s) => s.name, (s) => s.code), wide: true },
    {
      name: "managed_department_ids", label: "admin.field.manages", type: "checks", options: choices(departments),
      only: "create", when: (values) => values.role === "manager", hint: "admin.hint.manages", wide: true,
    },
    { name: "active", label: "admin.field.active", type: "checkbox", only: "edit", hint: "admin.hint.active" },
  ];
  return html`<${Section} title="admin.users.title" path="/api/users" fields=${fields}
    nameOf=${(user) => user.display_name} deletable=${false}
    filters=${[{ name: "role", label: "admin.field.role", type: "select", options: roleChoices() }]}
    columns=${[
      ["admin.field.username", (u) => u.username],
      ["admin.field.display_name", (u) => u.display_name],
      ["admin.field.role", (u) => t(`admin.role.${u.role}`)],
      ["admin.field.department", (u) => department(u.department_id)],
      ["admin.field.team", (u) => team(u.team_id)],
      ["admin.field.active", (u) => html`<span class=${`badge ${u.active ? "" : "inactive"}`}>${t(u.active ? "admin.active" : "admin.inactive")}</span>`],
    ]} />`;
}
