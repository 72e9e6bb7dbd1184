// Assets, page by page, and their labels printed for the ones selected.
import { Failure } from "../../lib/failure.js";
import { choices } from "../../lib/forms.js";
import { t } from "../../lib/i18n.js";
import { namer, Section, useCollection } from "../../lib/records.js";
import { html, useState } from "../../lib/ui.js";
import { openSheet, printLabels } from "./labels.js";

function Labels({ chosen, clear, query }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  async function run(action, message) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await action();
      setDone(message);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  const sheetFor = { site_id: query.site_id, asset_type: query.asset_type };
  return html`<div class="toolbar row" data-testid="labels">
    <span class="grow">${t("admin.assets.selected", { n: chosen.size })}</span>
    <button disabled=${busy || !chosen.size}
      onClick=${() => run(() => printLabels([...chosen.values()]), t("admin.assets.printed", { n: chosen.size }))}>
      ${t("admin.assets.print")}</button>
    <button class="secondary" disabled=${busy || !(query.site_id || query.asset_type)}
      title=${t("admin.assets.sheet_hint")}
      onClick=${() => {
        const tab = window.open("", "_blank");
        run(() => openSheet(sheetFor, tab), t("admin.assets.sheet_opened"));
      }}>${t("admin.assets.sheet")}</button>
    <button class="link" disabled=${!chosen.size} onClick=${clear}>${t("admin.assets.clear")}</button>
    ${done ? html`<p class="ok" role="status">${done}</p>` : null}
    <${Failure} error=${error} />
  </div>`;
}

export default function Assets() {
  const sites = useCollection("/api/sites");
  const site = namer(sites);
  const [chosen, setChosen] = useState(new Map());
  const toggle = (asset, on) =>
    setChosen((current) => {
      const next = new Map(current);
      if (on) next.set(asset.id, asset);
      else next.delete(asset.id);
      return next;
    });
  return html`<${Section} title="admin.assets.title" path="/api/assets" paged=${true}
    select=${{ chosen, toggle }}
    toolbar=${({ query }) => html`<${Labels} chosen=${chosen} clear=${() => setChosen(new Map())} query=${query} />`}
    filters=${[
      { name: "site_id", label: "admin.field.site", type: "select", options: choices(sites) },
      { name: "asset_type", label: "admin.field.asset_type", type: "search" },
      { name: "q", label: "admin.search", type: "search" },
    ]}
    fields=${[
      { name: "tag", label: "admin.field.tag", required: true, hint: "admin.hint.tag" },
      { name: "name", label: "admin.field.name", required: true },
      { name: "asset_type", label: "admin.field.asset_type", required: true },
      { name: "site_id", label: "admin.field.site", type: "select", required: true, options: choices(sites) },
      { name: "serial", label: "admin.field.serial" },
      { name: "installed_on", label: "admin.field.installed_on", type: "date" },
      { name: "warranty_until", label: "admin.field.warranty_until", type: "date" },
      { name: "maintenance_interval_days", label: "admin.field.interval_days", type: "number", step: 1 },
      { name: "meter_unit", label: "admin.field.meter_unit", hint: "admin.hint.meter_unit" },
    ]}
    nameOf=${(asset) => `${asset.tag} ${asset.name}`}
    columns=${[
      ["admin.field.tag", (asset) => asset.tag, "nowrap"],
      ["admin.field.name", (asset) => asset.name],
      ["admin.field.asset_type", (asset) => asset.asset_type],
      ["admin.field.site", (asset) => site(asset.site_id)],
      ["admin.field.interval_days", (asset) => asset.maintenance_interval_days ?? ""],
    ]} />`;
}
