// Order templates: a kind and department, custom fields (typed, with limits) and a
// checklist, each a list of rows to add, remove and reorder. Templates cannot be
// deleted (orders keep pointing at theirs).
import { choices } from "../../lib/forms.js";
import { t } from "../../lib/i18n.js";
import { namer, Section, useCollection } from "../../lib/records.js";
import { html } from "../../lib/ui.js";
import { kindChoices } from "./options.js";

const TYPES = ["text", "number", "choice", "date", "boolean", "photo", "signature"];

// A choice field's options typed as "a, b, c".
const OPTIONS = {
  name: "options", label: "admin.templates.options", when: (row) => row.type === "choice",
  decode: (options) => (options ?? []).join(", "),
  encode: (text) => {
    const options = text.split(",").map((option) => option.trim()).filter(Boolean);
    return options.length ? options : null;
  },
};

const FIELD_COLUMNS = [
  { name: "name", label: "admin.templates.field_name", required: true },
  { name: "label", label: "admin.templates.field_label", required: true },
  { name: "type", label: "admin.templates.field_type", type: "select", required: true, initial: "text", options: () => TYPES.map((type) => [type, t(`admin.type.${type}`)]) },
  { name: "required", label: "admin.templates.required", type: "checkbox" },
  { name: "min", label: "admin.templates.min", type: "number" },
  { name: "max", label: "admin.templates.max", type: "number" },
  { name: "max_length", label: "admin.templates.max_length", type: "number", step: 1 },
  OPTIONS,
];

const CHECKLIST_COLUMNS = [
  { name: "text", label: "admin.templates.item_text", required: true },
  { name: "required", label: "admin.templates.required", type: "checkbox", initial: true },
];

// invalid_template names the field whose definition is wrong ("a": "min is greater
// than max"): shown beside that row's name.
function locate(problems, error, values) {
  if (error.code !== "invalid_template") return problems;
  const located = {};
  for (const [name, message] of Object.entries(problems)) {
    const rows = (values.fields ?? []).flatMap((row, i) => (row.name === name ? [i] : []));
    if (!rows.length) located[name] = message;
    for (const i of rows) located[`fields[${i}].name`] = message;
  }
  return located;
}

export default function Templates() {
  const departments = useCollection("/api/departments");
  const department = namer(departments);
  return html`<${Section} title="admin.templates.title" path="/api/templates" deletable=${false} locate=${locate}
    fields=${[
      { name: "name", label: "admin.field.name", required: true },
      { name: "kind", label: "admin.field.kind", type: "select", required: true, only: "create", options: kindChoices(), initial: "service" },
      { name: "department_id", label: "admin.field.department", type: "select", options: choices(departments) },
      { name: "fields", label: "admin.templates.fields", type: "rows", columns: FIELD_COLUMNS, add: "admin.templates.add_field", wide: true },
      { name: "checklist", label: "admin.templates.checklist", type: "rows", columns: CHECKLIST_COLUMNS, add: "admin.templates.add_item", wide: true },
    ]}
    columns=${[
      ["admin.field.name", (template) => template.name],
      ["admin.field.kind", (template) => t(`admin.kind.${template.kind}`)],
      ["admin.field.department", (template) => department(template.department_id)],
      ["admin.templates.fields", (template) => template.fields.map((f) => f.label).join(", ")],
      ["admin.templates.checklist", (template) => t("admin.templates.items", { n: template.checklist.length })],
    ]} />`;
}
