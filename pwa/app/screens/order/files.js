// Photos and signatures of an order: shown from the phone while they wait to upload,
// else from the server.
import { call } from "../../lib/api.js";
import { db } from "../../lib/db.js";
import { downscale, keep } from "../../lib/files.js";
import { t } from "../../lib/i18n.js";
import { newId, queue } from "../../lib/sync.js";
import { html, useEffect, useRef, useState } from "../../lib/ui.js";

export function Photo({ attachment }) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    let made = null;
    const local = db().then((database) => database.getFromIndex("files", "sha256", attachment.sha256));
    local
      .then((file) => file?.blob ?? (attachment.present ? call(`/api/blobs/${attachment.sha256}`).then((r) => r.blob()) : null))
      .then((blob) => {
        if (blob) {
          made = URL.createObjectURL(blob);
          setUrl(made);
        }
      })
      .catch(() => null);
    return () => made && URL.revokeObjectURL(made);
  }, [attachment.sha256, attachment.present]);
  const label = attachment.caption || t(`attachment.${attachment.kind}`);
  return url ? html`<img src=${url} alt=${label} />` : html`<span class="badge">${label}</span>`;
}

export function Attach({ order }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function pick(event) {
    const files = [...event.target.files];
    event.target.value = "";
    setBusy(true);
    setError(null);
    try {
      for (const file of files) {
        const sha256 = await keep(await downscale(file), order.id);
        await queue("attach_file", { order_id: order.id, id: newId(), sha256, kind: "photo", caption: "" });
      }
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="actions">
    <label class="button secondary" for="photo">${busy ? t("common.loading") : t("attachment.add_photo")}</label>
    <input id="photo" class="visually-hidden" type="file" accept="image/*" capture="environment" multiple onChange=${pick} />
    ${error ? html`<p class="error">${t("common.error", { message: error })}</p>` : null}
  </div>`;
}

export function Signature({ order }) {
  const canvas = useRef(null);
  const pad = useRef(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return undefined;
    let cancelled = false;
    import("../../vendor/signature_pad.js").then(({ default: SignaturePad }) => {
      if (cancelled) return;
      const element = canvas.current;
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      element.width = element.offsetWidth * ratio;
      element.height = element.offsetHeight * ratio;
      element.getContext("2d").scale(ratio, ratio);
      pad.current = new SignaturePad(element, { backgroundColor: "rgb(255,255,255)" });
    });
    return () => {
      cancelled = true;
      pad.current?.off();
    };
  }, [open]);
  async function save() {
    if (!pad.current || pad.current.isEmpty()) return;
    const blob = await new Promise((resolve) => canvas.current.toBlob(resolve, "image/png"));
    const sha256 = await keep(blob, order.id);
    await queue("attach_file", { order_id: order.id, id: newId(), sha256, kind: "signature", caption: "" });
    setOpen(false);
  }
  if (!open) {
    return html`<div class="actions"><button class="secondary" onClick=${() => setOpen(true)}>${t("signature.add")}</button></div>`;
  }
  return html`<div class="card">
    <p id="signature-title"><strong>${t("signature.title")}</strong></p>
    <canvas ref=${canvas} class="signature" role="img" aria-labelledby="signature-title" data-testid="signature-pad"></canvas>
    <div class="actions">
      <button class="secondary" onClick=${() => pad.current?.clear()}>${t("signature.clear")}</button>
      <button onClick=${save}>${t("common.save")}</button>
    </div>
  </div>`;
}
