import texts from "../i18n/inspection.js";
import { addTexts, formatTime, t } from "../lib/i18n.js";
import { localRun } from "../lib/inspections.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { queue } from "../lib/sync.js";
import { html, useLive, useState } from "../lib/ui.js";
import { Progress, RunStatus, windowText } from "./rounds.js";

addTexts(texts);
addStylesheet("/inspection.css");

function SkipDialog({ run, checkpoint, close }) {
  const [reason, setReason] = useState("");
  async function skip(event) {
    event.preventDefault();
    await queue("skip_checkpoint", { run_id: run.id, asset_id: checkpoint.asset_id, reason: reason.trim() });
    close();
  }
  return html`<div class="dialog" role="dialog" aria-modal="true" aria-labelledby="skip-title">
    <form onSubmit=${skip}>
      <h2 id="skip-title">${t("run.skip_title", { name: checkpoint.asset?.name ?? checkpoint.asset_id })}</h2>
      <label for="skip-reason">${t("run.skip_reason")}</label>
      <textarea id="skip-reason" maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea>
      <div class="actions">
        <button type="button" class="secondary" onClick=${close}>${t("common.cancel")}</button>
        <button type="submit" disabled=${!reason.trim()}>${t("run.skip")}</button>
      </div>
    </form>
  </div>`;
}

function Checkpoint({ run, checkpoint, index, onSkip }) {
  const { asset, site, state } = checkpoint;
  return html`<li class=${`card checkpoint ${state}`} data-testid="checkpoint" data-asset=${checkpoint.asset_id} data-state=${state}>
    <div class="row">
      <span class="step" aria-hidden="true">${index + 1}</span>
      <strong class="grow">${asset?.name ?? checkpoint.asset_id}</strong>
    </div>
    <div class="row">
      <span class=${`badge cp-${state}`}>${t(`checkpoint.${state}`)}</span>
      ${checkpoint.pending ? html`<span class="badge pending">${t("common.pending")}</span>` : null}
      <span class="hint">${[asset?.tag, site?.name].filter(Boolean).join(" · ")}</span>
    </div>
    ${state === "skipped" ? html`<p data-testid="skip-reason">${t("checkpoint.reason", { reason: checkpoint.reason })}</p>` : null}
    ${state !== "pending" && checkpoint.at ? html`<div class="hint">${formatTime(checkpoint.at)}</div>` : null}
    ${state === "pending"
      ? html`<div class="actions">
          <a class="button" href=${`#/assets/${checkpoint.asset_id}`}>${t("run.inspect")}</a>
          <button class="secondary" data-testid="skip" onClick=${() => onSkip(checkpoint)}>${t("run.skip")}</button>
        </div>`
      : null}
  </li>`;
}

// One walk of a round: its checkpoints in route order, each inspected or skipped.
export default function RoundRun({ params }) {
  const run = useLive(() => localRun(params.id), [params.id]);
  const [skipping, setSkipping] = useState(null);
  if (run === undefined) return html`<p>${t("common.loading")}</p>`;
  if (run?.error) return html`<p class="error">${t("common.error", { message: run.error.message })}</p>`;
  if (run === null) return html`<p>${t("run.not_here")}</p>`;
  return html`<section class="insp" data-testid="run" data-run=${run.id}>
    <div class="card">
      <h2>${run.round_name}</h2>
      <div class="row"><${RunStatus} run=${run} /><span class="hint">${windowText(run)}</span></div>
      <${Progress} run=${run} />
    </div>
    <ol class="list checkpoints">
      ${run.checkpoints.map(
        (checkpoint, index) => html`<${Checkpoint} key=${checkpoint.asset_id} run=${run} checkpoint=${checkpoint}
          index=${index} onSkip=${setSkipping} />`,
      )}
    </ol>
    ${skipping ? html`<${SkipDialog} run=${run} checkpoint=${skipping} close=${() => setSkipping(null)} />` : null}
  </section>`;
}
