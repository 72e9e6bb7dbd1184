// The managers' dashboard (GET /api/reports/dashboard, docs/reports.md): headline
// figures of the last 7 or 30 days beside the period before, and the three charts as
// the server draws them (SVG, fetched with the token and shown from an object URL),
// each with its figures as a table in the user's language.
import texts from "../i18n/manager.js";
import { api, call } from "../lib/api.js";
import { Failure } from "../lib/failure.js";
import { addTexts, currentLanguage, formatDuration, t } from "../lib/i18n.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useState } from "../lib/ui.js";

addTexts(texts);

const PERIODS = [7, 30];
const PERIOD_KEY = "fieldops.dashboard.days";
// [key in the answer's charts, file under /api/reports/charts/]
const CHARTS = [
  ["backlog_by_status", "backlog-by-status.svg"],
  ["sla_compliance_by_week", "sla-compliance-by-week.svg"],
  ["resolution_time_by_week", "resolution-time-by-week.svg"],
];

// The period as the reports take it: local days, the last one today, in this zone.
function periodQuery(days) {
  const first = new Date();
  first.setDate(first.getDate() - (days - 1));
  const pad = (n) => String(n).padStart(2, "0");
  return new URLSearchParams({
    from: `${first.getFullYear()}-${pad(first.getMonth() + 1)}-${pad(first.getDate())}`,
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
  }).toString();
}

function seconds(value) {
  return value === null ? "–" : formatDuration(value * 1000);
}

function percent(value) {
  return value === null ? "–" : `${value.toLocaleString(currentLanguage())} %`;
}

// [text key, figure of a headline, how it is written]
const FIGURES = [
  ["dashboard.created", (h) => h.created, String],
  ["dashboard.resolved", (h) => h.resolved, String],
  ["dashboard.sla_compliance", (h) => h.sla_compliance_percent, percent],
  ["dashboard.mean_resolution", (h) => h.mean_resolution_seconds, seconds],
  ["dashboard.mean_response", (h) => h.mean_response_seconds, seconds],
  ["dashboard.breaches", (h) => h.response_breaches + h.resolution_breaches, String],
];

function Headline({ report }) {
  return html`<dl class="figures" data-testid="headline">
    <div data-figure="open_orders"><dt>${t("dashboard.open_orders")}</dt><dd>${report.open_orders}</dd>
      <dd class="hint">${t("dashboard.now")}</dd></div>
    ${FIGURES.map(([key, read, write]) => html`<div data-figure=${key.split(".")[1]}>
      <dt>${t(key)}</dt><dd>${write(read(report.current))}</dd>
      <dd class="hint">${t("dashboard.before", { value: write(read(report.previous)) })}</dd>
    </div>`)}
  </dl>`;
}

function label(key, text) {
  if (key === "backlog_by_status") return t(`status.${text}`);
  return new Date(`${text}T00:00:00`).toLocaleDateString(currentLanguage(), { month: "short", day: "numeric" });
}

function value(number, unit) {
  if (number === null) return "–";
  return unit === "%" ? percent(number) : number.toLocaleString(currentLanguage());
}

function Chart({ name, file, chart, query }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let made = null;
    let current = true;
    // The chart's words in the app's language, which may differ from the account's.
    call(`/api/reports/charts/${file}?${query}&lang=${encodeURIComponent(currentLanguage())}`)
      .then((response) => response.blob())
      .then((blob) => {
        made = URL.createObjectURL(blob);
        if (current) setUrl(made);
      })
      .catch((failure) => current && setError(failure));
    return () => {
      current = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [file, query]);
  const [series] = chart.series;
  const title = t(`dashboard.chart.${name}`);
  const described = chart.labels.map((text, i) => `${label(name, text)} ${value(series.values[i], chart.unit)}`);
  return html`<figure class="card chart" data-chart=${name}>
    <figcaption><strong>${title}</strong> <span class="hint">(${t(`dashboard.unit.${name}`)})</span></figcaption>
    <${Failure} error=${error} />
    ${url ? html`<img src=${url} alt=${`${title}: ${described.join(", ")}`} width="720" height="360" />` : null}
    <details>
      <summary>${t("dashboard.figures")}</summary>
      <table>
        <tbody>
          ${chart.labels.map((text, i) => html`<tr><th scope="row">${label(name, text)}</th><td>${value(series.values[i], chart.unit)}</td></tr>`)}
        </tbody>
      </table>
    </details>
  </figure>`;
}

export default function Dashboard() {
  const [days, setDays] = useState(Number(localStorage.getItem(PERIOD_KEY)) || 30);
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const query = periodQuery(days);
  useEffect(() => addStylesheet("/manager.css"), []);
  useEffect(() => {
    let current = true;
    setError(null);
    api(`/api/reports/dashboard?${query}`).then(
      (answer) => current && setReport(answer),
      (failure) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [query]);
  function choose(value) {
    localStorage.setItem(PERIOD_KEY, String(value));
    setDays(value);
  }
  return html`<section>
    <h2>${t("dashboard.title")}</h2>
    <div class="segmented" role="group" aria-label=${t("dashboard.period")}>
      ${PERIODS.map((n) => html`<button aria-pressed=${String(days === n)} onClick=${() => choose(n)}>${t("dashboard.last_days", { n })}</button>`)}
    </div>
    <${Failure} error=${error} />
    ${!report && !error ? html`<p>${t("common.loading")}</p>` : null}
    ${report
      ? html`<p class="hint" data-testid="period">${t("dashboard.range", { from: report.period.first_day, to: report.period.last_day })}</p>
          <${Headline} report=${report} />
          ${CHARTS.map(([name, file]) => html`<${Chart} key=${name} name=${name} file=${file} chart=${report.charts[name]} query=${query} />`)}`
      : null}
  </section>`;
}
