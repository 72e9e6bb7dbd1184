import texts from "../i18n/requests.js";
import { all } from "../lib/db.js";
import { downscale, keep } from "../lib/files.js";
import { addTexts, t } from "../lib/i18n.js";
import { position } from "../lib/position.js";
import { newId, queue } from "../lib/sync.js";
import { go, html, useLive, useState } from "../lib/ui.js";

addTexts(texts);

// A request is a create_order mutation like any other: it waits in the outbox when
// there is no connection, with its photos and the place it is about.
export default function NewRequest() {
  const items = useLive(() => all("service_items"));
  const sites = useLive(() => all("sites"));
  const [form, setForm] = useState({ title: "", description: "", service_item_id: "", site_id: "" });
  const [photos, setPhotos] = useState([]);
  const [location, setLocation] = useState(null);
  const [note, setNote] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (event) => setForm({ ...form, [name]: event.target.value });

  async function locate() {
    setNote(null);
    try {
      const fix = await position();
      setLocation({
        latitude: fix.latitude,
        longitude: fix.longitude,
        accuracy_m: Math.min(fix.accuracy ?? 0, 100000),
        address: "",
      });
    } catch (failure) {
      setNote(t("request.no_position", { message: failure.message }));
    }
  }

  async function addPhotos(event) {
    const files = [...event.target.files];
    event.target.value = "";
    setPhotos([...photos, ...(await Promise.all(files.map((file) => downscale(file))))]);
  }

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    const id = newId();
    const args = { id, title: form.title.trim(), description: form.description.trim() };
    if (form.service_item_id) args.service_item_id = form.service_item_id;
    if (form.site_id) args.site_id = form.site_id;
    if (location) args.location = location;
    await queue("create_order", args);
    for (const blob of photos) {
      const sha256 = await keep(blob, id);
      await queue("attach_file", { order_id: id, id: newId(), sha256, kind: "photo", caption: "" });
    }
    setBusy(false);
    go(`/orders/${id}`);
  }

  return html`<form onSubmit=${submit} data-testid="new-request">
    <h2>${t("request.new")}</h2>
    <label for="title">${t("request.title")}</label>
    <input id="title" required maxlength="200" value=${form.title} onInput=${set("title")} />
    <label for="description">${t("request.description")}</label>
    <textarea id="description" value=${form.description} onInput=${set("description")}></textarea>
    <label for="service">${t("request.service")}</label>
    <select id="service" value=${form.service_item_id} onChange=${set("service_item_id")}>
      <option value="">${t("request.service_none")}</option>
      ${(Array.isArray(items) ? items : []).map((item) => html`<option value=${item.id}>${item.name}</option>`)}
    </select>
    ${Array.isArray(sites) && sites.length
      ? html`<label for="site">${t("request.site")}</label>
          <select id="site" value=${form.site_id} onChange=${set("site_id")}>
            <option value="">${t("request.site_none")}</option>
            ${sites.map((site) => html`<option value=${site.id}>${site.name}</option>`)}
          </select>`
      : null}
    <div class="card">
      <strong>${t("request.location")}</strong>
      ${location
        ? html`<p data-testid="request-location">${location.latitude.toFixed(5)}, ${location.longitude.toFixed(5)} (±${Math.round(location.accuracy_m)} m)</p>
            <label for="address">${t("request.address")}</label>
            <input id="address" maxlength="300" value=${location.address} onInput=${(e) => setLocation({ ...location, address: e.target.value })} />`
        : null}
      ${note ? html`<p class="error">${note}</p>` : null}
      <div class="actions"><button type="button" class="secondary" onClick=${locate}>${t("request.use_position")}</button></div>
    </div>
    <div class="card">
      <strong>${t("request.photos", { n: photos.length })}</strong>
      <div class="actions">
        <label class="button secondary" for="request-photo">${t("request.add_photo")}</label>
        <input id="request-photo" class="visually-hidden" type="file" accept="image/*" capture="environment" multiple onChange=${addPhotos} />
      </div>
    </div>
    <div class="actions"><button type="submit" disabled=${busy || !form.title.trim()}>${t("request.submit")}</button></div>
  </form>`;
}
