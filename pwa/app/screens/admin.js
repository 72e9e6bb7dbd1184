// The admin area (desktop width, online-only): a menu of sections, then the section's
// screen from screens/admin/<section>.js. Every change goes through the API, so its
// validation and permissions apply: a manager sees the server's 403 where it says no.
import texts from "../i18n/admin.js";
import { OFFLINE } from "../lib/api.js";
import { Failure } from "../lib/failure.js";
import { addTexts, t } from "../lib/i18n.js";
import { forget } from "../lib/records.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useMemo, useState } from "../lib/ui.js";

addTexts(texts);

const SECTIONS = [
  "users", "teams", "departments", "skills", "sites", "assets", "templates", "catalogue", "sla_rules", "plans",
];

const loaded = {};

function SectionScreen({ name }) {
  const [module, setModule] = useState(loaded[name]);
  useEffect(() => {
    if (loaded[name]) return setModule(loaded[name]);
    import(`./admin/${name}.js`).then(
      (imported) => setModule((loaded[name] = imported)),
      (error) => setModule({ error }),
    );
  }, [name]);
  // Offline a section never opened before is not in the service worker's cache either.
  if (module?.error) return html`<${Failure} error=${navigator.onLine ? module.error : { code: OFFLINE }} />`;
  if (!module || module !== loaded[name]) return html`<p>${t("common.loading")}</p>`;
  const View = module.default;
  return html`<${View} />`;
}

function Offline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const changed = () => setOnline(navigator.onLine);
    addEventListener("online", changed);
    addEventListener("offline", changed);
    return () => {
      removeEventListener("online", changed);
      removeEventListener("offline", changed);
    };
  }, []);
  return online ? null : html`<p class="error" role="alert">${t("admin.offline")}</p>`;
}

export default function Admin({ params }) {
  addStylesheet("/admin.css");
  const name = params.section;
  // Each visit reads the lists to choose from afresh: forgotten while rendering, before
  // the section's own effects read them.
  useMemo(() => forget(), [name]);
  if (!name) {
    return html`<section class="admin">
      <h2>${t("admin.title")}</h2>
      <${Offline} />
      <ul class="list admin-menu">
        ${SECTIONS.map(
          (section) => html`<li><a class="card" href=${`#/admin/${section}`} data-section=${section}>
            <strong>${t(`admin.${section}.title`)}</strong><span class="hint">${t(`admin.${section}.about`)}</span>
          </a></li>`,
        )}
      </ul>
    </section>`;
  }
  return html`<div class="admin">
    <nav class="admin-nav" aria-label=${t("admin.title")}>
      <a href="#/admin">${t("admin.all_sections")}</a>
      ${SECTIONS.map(
        (section) => html`<a href=${`#/admin/${section}`} aria-current=${section === name ? "page" : null}>${t(`admin.${section}.title`)}</a>`,
      )}
    </nav>
    <${Offline} />
    ${SECTIONS.includes(name)
      ? html`<${SectionScreen} key=${name} name=${name} />`
      : html`<p class="error">${t("admin.no_section")}</p>`}
  </div>`;
}
