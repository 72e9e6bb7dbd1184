import texts from "../i18n/inspection.js";
import { addTexts, currentLanguage, t } from "../lib/i18n.js";
import { localRuns, todaysRuns } from "../lib/inspections.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useLive, useNow } from "../lib/ui.js";

addTexts(texts);
addStylesheet("/inspection.css");

export function windowText(run) {
  const time = (value) =>
    new Date(value).toLocaleTimeString(currentLanguage(), { hour: "2-digit", minute: "2-digit" });
  return t("run.window", { from: time(run.scheduled_at), to: time(run.due_at) });
}

// Done, skipped and left, in words and as a bar.
export function Progress({ run }) {
  const left = run.total - run.done - run.skipped;
  return html`<div class="progress" data-testid="progress" data-done=${run.done} data-skipped=${run.skipped} data-total=${run.total}>
    <progress max=${run.total} value=${run.done + run.skipped} aria-label=${t("run.progress")}></progress>
    <span>${t("run.counts", { done: run.done, skipped: run.skipped, left })}</span>
  </div>`;
}

export function RunStatus({ run }) {
  return html`<span class=${`badge run-${run.status}`} data-testid="run-status">${t(`run.status.${run.status}`)}</span>
    ${run.pending ? html`<span class="badge pending">${t("common.pending")}</span>` : null}`;
}

// The inspector's runs of today, with their progress (their own unsynced work counted).
export default function Rounds() {
  const runs = useLive(localRuns);
  const now = useNow(60_000);
  if (runs === undefined) return html`<p>${t("common.loading")}</p>`;
  if (runs.error) return html`<p class="error">${t("common.error", { message: runs.error.message })}</p>`;
  const today = todaysRuns(runs, new Date(now));
  return html`<section class="insp">
    <h2>${t("rounds.title")}</h2>
    ${today.length ? null : html`<p>${t("rounds.none")}</p>`}
    <ul class="list">
      ${today.map(
        (run) => html`<li key=${run.id}>
          <a class="card" href=${`#/runs/${run.id}`} data-testid="run-card" data-run=${run.id}>
            <div class="row"><strong class="grow">${run.round_name}</strong><${RunStatus} run=${run} /></div>
            <div class="hint">${windowText(run)}</div>
            <${Progress} run=${run} />
          </a>
        </li>`,
      )}
    </ul>
  </section>`;
}
