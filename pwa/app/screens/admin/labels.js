// Printing asset labels: the server draws them (inspection/labels.py): one Code 128
// PNG per asset, or A4 sheets as PDF for a site or an asset type.
import { call } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

let previous = null;

function discardPrevious() {
  if (!previous) return;
  previous.frame.remove();
  previous.urls.forEach((url) => URL.revokeObjectURL(url));
  previous = null;
}

// The selected assets' labels in a hidden frame, printed from there: the labels need
// the login's token, so they are fetched here and shown from object URLs.
export async function printLabels(assets) {
  const files = await Promise.all(assets.map((asset) => call(`/api/assets/${asset.id}/label.png`).then((r) => r.blob())));
  discardPrevious();
  const urls = files.map((file) => URL.createObjectURL(file));
  const frame = document.createElement("iframe");
  frame.className = "print-frame";
  frame.title = t("admin.assets.print_frame");
  frame.dataset.testid = "label-frame";
  frame.srcdoc = `<!doctype html><html><head><meta charset="utf-8"><title>${escape(t("admin.assets.print_frame"))}</title>
<style>@page { margin: 10mm } body { margin: 0; font: 11pt sans-serif }
figure { display: inline-block; width: 62mm; margin: 0 4mm 6mm 0; break-inside: avoid; text-align: center }
img { width: 100% } figcaption { margin-top: 1mm }</style></head><body>
${assets.map((asset, i) => `<figure><img src="${urls[i]}" alt="${escape(asset.tag)}"><figcaption>${escape(asset.name)}</figcaption></figure>`).join("\n")}
</body></html>`;
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  previous = { frame, urls };
  await loaded;
  await Promise.all([...frame.contentDocument.images].map((image) => image.decode().catch(() => null)));
  frame.contentWindow.print();
}

// A4 sheets of a site's or an asset type's labels, opened in `tab` (opened by the click
// itself, before the wait, so that no pop-up blocker stops it).
export async function openSheet(filter, tab) {
  const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
  try {
    const file = await (await call(`/api/labels/sheet.pdf?${params}`)).blob();
    tab.location.href = URL.createObjectURL(file);
  } catch (error) {
    tab.close();
    throw error;
  }
}
