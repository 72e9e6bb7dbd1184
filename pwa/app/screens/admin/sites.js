// Sites: where work happens. The point is picked on the map (or typed) and the
// geofence radius drawn around it.
import { choices } from "../../lib/forms.js";
import { t } from "../../lib/i18n.js";
import { namer, Section, useCollection } from "../../lib/records.js";
import { html } from "../../lib/ui.js";
import { SiteMap } from "./site_map.js";

function centreOf(sites) {
  if (!sites.length) return null;
  const sum = (key) => sites.reduce((total, site) => total + site[key], 0) / sites.length;
  return [sum("latitude"), sum("longitude")];
}

export default function Sites() {
  const customers = useCollection("/api/customers");
  const sites = useCollection("/api/sites");
  const customer = namer(customers);
  const around = centreOf(sites);
  const fields = [
    { name: "name", label: "admin.field.name", required: true },
    { name: "address", label: "admin.field.address", empty: "" },
    { name: "customer_id", label: "admin.field.customer", type: "select", options: choices(customers) },
    { name: "latitude", label: "admin.field.latitude", type: "number", required: true },
    { name: "longitude", label: "admin.field.longitude", type: "number", required: true },
    { name: "geofence_radius_m", label: "admin.field.radius", type: "number", required: true, initial: "100" },
    {
      name: "map", type: "view", wide: true,
      render: ({ values, set }) => html`<${SiteMap} latitude=${values.latitude} longitude=${values.longitude}
        radius=${values.geofence_radius_m} around=${around} others=${sites}
        pick=${(latitude, longitude) => set({ latitude: String(latitude), longitude: String(longitude) })} />`,
    },
  ];
  return html`<${Section} title="admin.sites.title" path="/api/sites" fields=${fields}
    filters=${[
      { name: "q", label: "admin.search", type: "search" },
      { name: "customer_id", label: "admin.field.customer", type: "select", options: choices(customers) },
    ]}
    columns=${[
      ["admin.field.name", (site) => site.name],
      ["admin.field.address", (site) => site.address],
      ["admin.field.customer", (site) => customer(site.customer_id)],
      ["admin.field.point", (site) => `${site.latitude.toFixed(5)}, ${site.longitude.toFixed(5)}`],
      ["admin.field.radius", (site) => t("admin.metres", { m: site.geofence_radius_m })],
    ]} />`;
}
