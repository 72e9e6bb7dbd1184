// The "record inspection" form of the asset screen: the checklist's items with their
// limits, each failure shown as it is typed, queued as record_inspection with the code
// the label gave (the server keeps it as the proof of presence, docs/inspection.md).
import texts from "../i18n/inspection.js";
import { downscale, keep } from "../lib/files.js";
import { addTexts, t } from "../lib/i18n.js";
import { failureOf, missingAnswers } from "../lib/inspections.js";
import { position } from "../lib/position.js";
import { forgetScan, scanOf } from "../lib/scanner.js";
import { newId, queue } from "../lib/sync.js";
import { go, html, useEffect, useRef, useState } from "../lib/ui.js";

addTexts(texts);

// A fix is asked for when the form opens; saving waits this much longer at most.
const POSITION_WAIT_MS = 3000;
const POSITION_TIMEOUT_MS = 20000;

// What the server is sent for what the form holds (numbers are typed as text).
function answerOf(item, raw) {
  if (raw === undefined || raw === "") return undefined;
  if (item.kind === "number") return Number.isFinite(Number(raw)) ? Number(raw) : undefined;
  return raw;
}

function answersOf(items, raws) {
  const answers = {};
  for (const item of items) {
    const value = answerOf(item, raws[item.key]);
    if (value !== undefined) answers[item.key] = value;
  }
  return answers;
}

function limitsOf(item) {
  const unit = item.unit ? ` ${item.unit}` : "";
  const has = (value) => value !== null && value !== undefined;
  if (has(item.min) && has(item.max)) return t("inspect.between", { min: item.min, max: item.max, unit });
  if (has(item.min)) return t("inspect.at_least", { min: item.min, unit });
  if (has(item.max)) return t("inspect.at_most", { max: item.max, unit });
  return "";
}

function whyText(item, failure) {
  return t(`inspect.why.${failure.why}`, { limit: failure.limit, unit: item.unit ?? "" });
}

function FileAnswer({ item, value, onChange, id }) {
  const [busy, setBusy] = useState(false);
  async function pick(event) {
    const [file] = event.target.files;
    event.target.value = "";
    if (!file) return;
    setBusy(true);
    try {
      onChange(await keep(await downscale(file), null));
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="row">
    <label class="button secondary" for=${id}>${busy ? t("common.loading") : t("inspect.take_photo")}</label>
    <input id=${id} class="visually-hidden" type="file" accept="image/*" capture="environment" onChange=${pick} />
    ${value ? html`<span class="ok">${t("inspect.photo_kept")}</span>` : null}
  </div>`;
}

function Field({ item, raw, onChange, meter }) {
  const id = `item-${item.key}`;
  const value = answerOf(item, raw);
  const failure = failureOf(item, value);
  const note = `${id}-note`;
  let input;
  if (item.kind === "pass_fail") {
    input = html`<div class="segmented" role="radiogroup" aria-labelledby=${`${id}-label`}>
      ${[true, false].map(
        (choice) => html`<button type="button" role="radio" aria-checked=${String(raw === choice)}
          data-answer=${String(choice)} onClick=${() => onChange(choice)}>${t(choice ? "inspect.pass" : "inspect.fail")}</button>`,
      )}
    </div>`;
  } else if (item.kind === "number") {
    input = html`<input id=${id} type="number" step="any" inputmode="decimal" value=${raw ?? ""}
      aria-describedby=${note} onInput=${(e) => onChange(e.target.value)} />`;
  } else if (item.kind === "choice") {
    input = html`<select id=${id} value=${raw ?? ""} aria-describedby=${note} onChange=${(e) => onChange(e.target.value)}>
      <option value="">${t("inspect.choose")}</option>
      ${item.choices.map((choice) => html`<option value=${choice}>${choice}</option>`)}
    </select>`;
  } else if (item.kind === "text") {
    input = html`<textarea id=${id} maxlength="2000" value=${raw ?? ""} onInput=${(e) => onChange(e.target.value)}></textarea>`;
  } else {
    input = html`<${FileAnswer} item=${item} value=${raw} onChange=${onChange} id=${id} />`;
  }
  const limits = item.kind === "number" ? limitsOf(item) : "";
  const failing = item.kind === "choice" && item.failing_choices.length
    ? t("inspect.failing_choices", { choices: item.failing_choices.join(", ") })
    : "";
  const hasMeter = item.meter && meter !== null && meter !== undefined;
  const backwards = hasMeter && value !== undefined && value < meter;
  return html`<div class=${`item ${failure ? "failing" : ""}`} data-testid="item" data-key=${item.key}
    data-failing=${String(Boolean(failure))}>
    <label id=${`${id}-label`} for=${item.kind === "pass_fail" ? null : id}>${item.label}${item.required ? html` <span class="hint">(${t("common.required")})</span>` : null}</label>
    ${input}
    <p class="hint" id=${note}>
      ${[limits, failing, hasMeter ? t("inspect.meter_now", { value: meter, unit: item.unit ?? "" }) : ""]
        .filter(Boolean)
        .join(" · ")}
    </p>
    ${failure ? html`<p class="failure" data-testid="failure">⚠ ${whyText(item, failure)}</p>` : null}
    ${backwards ? html`<p class="failure">${t("inspect.meter_backwards")}</p>` : null}
  </div>`;
}

export default function InspectionForm({ asset, checklist, run }) {
  const scan = scanOf(asset.id);
  const [raws, setRaws] = useState({});
  const [saved, setSaved] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const fix = useRef(null);
  useEffect(() => {
    if (scan && !fix.current) fix.current = position(POSITION_TIMEOUT_MS).catch(() => null);
  }, [scan?.at]);
  const items = checklist?.items ?? [];
  const answers = answersOf(items, raws);
  const missing = missingAnswers(items, answers);
  const failing = items.filter((item) => failureOf(item, answers[item.key]));

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const args = { id: newId(), code: scan.code, answers };
      if (run) args.run_id = run.id;
      const waited = new Promise((resolve) => setTimeout(resolve, POSITION_WAIT_MS, null));
      const coords = await Promise.race([fix.current ?? null, waited]);
      if (coords) {
        args.latitude = coords.latitude;
        args.longitude = coords.longitude;
        // The server takes only a positive accuracy; without one it assumes none.
        if (coords.accuracy > 0) args.accuracy_m = Math.min(coords.accuracy, 100_000);
      }
      await queue("record_inspection", args);
      forgetScan();
      fix.current = null;
      setRaws({});
      setSaved({ failed: failing.length });
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }

  const done = saved
    ? html`<p class="ok" role="status" data-testid="inspection-saved">
        ${t(saved.failed ? "inspect.saved_failed" : "inspect.saved", { n: saved.failed })}</p>`
    : null;
  if (!scan) {
    return html`<div class="card" data-testid="scan-first">
      ${done}
      <p>${t("inspect.scan_first")}</p>
      <div class="actions"><button onClick=${() => go("/scan")}>${t("inspect.scan_label")}</button></div>
    </div>`;
  }
  return html`<form class="card" onSubmit=${save} data-testid="inspection-form">
    <p class="hint" data-testid="scan-proof" data-scan-how=${scan.how}>
      ${t("inspect.read", { code: scan.code })} · ${t(`inspect.how.${scan.how}`)}
    </p>
    ${run ? html`<p data-testid="asset-run" data-run=${run.id}>${t("inspect.for_run", { round: run.round_name })}</p>` : null}
    ${checklist ? html`<strong>${checklist.name}</strong>` : html`<p class="hint">${t("inspect.no_checklist", { type: asset.asset_type })}</p>`}
    ${items.map(
      (item) => html`<${Field} key=${item.key} item=${item} raw=${raws[item.key]} meter=${asset.meter_reading}
        onChange=${(value) => setRaws((current) => ({ ...current, [item.key]: value }))} />`,
    )}
    ${failing.length ? html`<p class="failure" role="status">${t("inspect.will_fail", { n: failing.length })}</p>` : null}
    ${error ? html`<p class="error" role="alert">${t("common.error", { message: error })}</p>` : null}
    ${missing.length ? html`<p class="hint">${t("inspect.missing", { items: missing.map((item) => item.label).join(", ") })}</p>` : null}
    <div class="actions">
      <button type="submit" disabled=${busy || missing.length > 0}>${t("inspect.save")}</button>
    </div>
  </form>`;
}
