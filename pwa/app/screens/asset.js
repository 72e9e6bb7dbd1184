import texts from "../i18n/inspection.js";
import { addTexts, formatTime, t } from "../lib/i18n.js";
import { assetView } from "../lib/inspections.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useLive, useNow } from "../lib/ui.js";
import InspectionForm from "./inspection_form.js";
import { OrderCard } from "./orders.js";

addTexts(texts);
addStylesheet("/inspection.css");

function answerText(answer) {
  if (answer === true) return t("inspect.pass");
  if (answer === false) return t("inspect.fail");
  return String(answer);
}

function Result({ result }) {
  return html`<li class="card" data-testid="result" data-result=${result.id} data-passed=${String(result.passed)}>
    <div class="row">
      <span class="grow">${formatTime(result.at)}</span>
      <span class=${`badge ${result.passed ? "pass" : "fail"}`}>${t(result.passed ? "asset_page.passed" : "asset_page.failed")}</span>
      ${result.pending ? html`<span class="badge pending">${t("common.pending")}</span>` : null}
    </div>
    ${result.failures.map(
      (failure) => html`<div class="failure">${failure.label}: ${answerText(result.answers[failure.key])}</div>`,
    )}
    ${result.corrective_order_id
      ? html`<a href=${`#/orders/${result.corrective_order_id}`}>${t("asset_page.corrective_order")}</a>`
      : null}
  </li>`;
}

function Orders({ title, orders, now, none }) {
  return html`<h2>${title}</h2>
    ${orders.length ? null : html`<p class="hint">${none}</p>`}
    <ul class="list">${orders.map((order) => html`<${OrderCard} key=${order.id} order=${order} now=${now} />`)}</ul>`;
}

// An asset found by its label: what it is, the inspection to record, its open orders
// and what happened to it lately.
export default function Asset({ params }) {
  const view = useLive(() => assetView(params.id), [params.id]);
  const now = useNow();
  if (view === undefined) return html`<p>${t("common.loading")}</p>`;
  if (view?.error) return html`<p class="error">${t("common.error", { message: view.error.message })}</p>`;
  if (view === null) {
    return html`<div class="card"><p>${t("asset_page.not_here")}</p><a class="button" href="#/scan">${t("inspect.scan_label")}</a></div>`;
  }
  const { asset, site, checklist, openOrders, finishedOrders, results, run } = view;
  return html`<section class="insp" data-testid="asset" data-asset=${asset.id}>
    <div class="card">
      <div class="row">
        <h2 class="grow">${asset.name}</h2>
        <span class="badge" data-testid="asset-tag">${asset.tag}</span>
      </div>
      <div class="hint">${asset.asset_type}${asset.serial ? ` · ${asset.serial}` : ""}</div>
      ${site ? html`<div>${site.name}${site.address ? ` · ${site.address}` : ""}</div>` : null}
      ${asset.meter_reading !== null && asset.meter_reading !== undefined
        ? html`<div class="hint">${t("asset_page.meter", { value: asset.meter_reading, unit: asset.meter_unit ?? "" })}</div>`
        : null}
    </div>
    <h2>${t("asset_page.inspect")}</h2>
    <${InspectionForm} asset=${asset} checklist=${checklist} run=${run} />
    <${Orders} title=${t("asset_page.open_orders")} orders=${openOrders} now=${now} none=${t("asset_page.no_open_orders")} />
    <h2>${t("asset_page.history")}</h2>
    ${results.length ? null : html`<p class="hint">${t("asset_page.no_results")}</p>`}
    <ul class="list" data-testid="results">${results.map((result) => html`<${Result} key=${result.id} result=${result} />`)}</ul>
    ${finishedOrders.length
      ? html`<${Orders} title=${t("asset_page.finished_orders")} orders=${finishedOrders} now=${now} none="" />`
      : null}
  </section>`;
}
