// A project's Gantt chart: its tasks as bars over a time axis of days, each with its
// status (in words and colour), progress and the tasks it waits for; the project's
// progress as the server rolls it up (server/workorders/projects.py). Read from the
// server each time: the plan is shared, and a phone's pulled copy has only its own
// orders.
import texts from "../i18n/planning.js";
import { api, OFFLINE } from "../lib/api.js";
import { addDays, daysBetween, formatDay, startOfDay } from "../lib/days.js";
import { addTexts, t } from "../lib/i18n.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useState } from "../lib/ui.js";

addTexts(texts);
addStylesheet("/planning.css");

// Must match .gantt-row's height in planning.css: the dependency lines are drawn in it.
const ROW_PX = 64;
const LINE_WIDTH = 1000;
// Labels on the axis at least this far apart.
const LABEL_PX = 44;

// The axis: whole days around every bar, a day as wide as the chart's length allows.
function axisOf(bars) {
  const from = startOfDay(Math.min(...bars.map((bar) => +bar.start)));
  const last = new Date(Math.max(...bars.map((bar) => +bar.end)));
  const to = +startOfDay(last) === +last ? last : addDays(startOfDay(last), 1);
  const days = Math.max(daysBetween(from, to), 1);
  const dayPx = days <= 45 ? 32 : days <= 120 ? 16 : 8;
  const step = [1, 2, 7, 14, 28].find((n) => n * dayPx >= LABEL_PX) ?? 56;
  const fraction = (time) => Math.min(Math.max((time - from) / (to - from), 0), 1);
  return { from, to, days, dayPx, step, fraction };
}

function withDates(task) {
  return { ...task, start: new Date(task.start), end: new Date(task.end) };
}

function Axis({ axis }) {
  const ticks = Array.from({ length: axis.days }, (_, i) => addDays(axis.from, i)).filter((_, i) => i % axis.step === 0);
  const today = Date.now();
  return html`<div class="gantt-row gantt-head" aria-hidden="true">
    <div class="gantt-label">${t("gantt.task")}</div>
    <div class="gantt-axis">
      ${ticks.map((day) => html`<span key=${+day} style=${{ left: `${axis.fraction(day) * 100}%` }}>${formatDay(day, { month: "numeric", day: "numeric" })}</span>`)}
      ${today > axis.from && today < axis.to
        ? html`<span class="gantt-today" style=${{ left: `${axis.fraction(today) * 100}%` }}>${t("gantt.today")}</span>`
        : null}
    </div>
  </div>`;
}

function Bar({ task, axis, summary = false }) {
  const left = axis.fraction(task.start);
  const status = t(`status.${task.status}`);
  const label = t("gantt.bar", { number: task.number, status, progress: task.progress, start: formatDay(task.start), end: formatDay(task.end) });
  return html`<div class=${`gantt-bar status-${task.status}${task.planned ? "" : " unplanned"}${summary ? " summary" : ""}`}
    style=${{ left: `${left * 100}%`, width: `${(axis.fraction(task.end) - left) * 100}%` }}
    role="img" aria-label=${label} title=${label} data-testid=${summary ? "gantt-project-bar" : "gantt-bar"} data-task=${task.id}>
    <span class="gantt-fill" style=${{ width: `${task.progress}%` }}></span>
    <span class="gantt-bar-text">${status} ${task.progress}%</span>
  </div>`;
}

function TaskRow({ task, axis, numbers }) {
  const after = task.dependencies.map((id) => numbers.get(id)).filter(Boolean);
  return html`<div class="gantt-row" data-testid="gantt-task">
    <div class="gantt-label">
      <a href=${`#/orders/${task.id}`}><span class="number">${task.number}</span> ${task.title}</a>
      <span class="gantt-meta">
        <span class=${`gantt-status status-${task.status}`}>${t(`status.${task.status}`)}</span> · ${task.progress}%
        · ${task.assignee_name || t("gantt.nobody")}${task.planned ? "" : html` · <em>${t("gantt.unplanned")}</em>`}
      </span>
      ${after.length ? html`<span class="gantt-meta" data-testid="gantt-after">${t("gantt.after", { numbers: after.join(", ") })}</span>` : null}
    </div>
    <div class="gantt-track"><${Bar} task=${task} axis=${axis} /></div>
  </div>`;
}

// Lines from the end of each task a task waits for to the task's start, drawn over the
// bars' area (row 0 is the project's own bar).
function Links({ tasks, axis }) {
  const row = new Map(tasks.map((task, i) => [task.id, i + 1]));
  const middle = (i) => i * ROW_PX + ROW_PX / 2;
  const x = (time) => axis.fraction(time) * LINE_WIDTH;
  const paths = tasks.flatMap((task) =>
    task.dependencies.filter((id) => row.has(id)).map((id) => {
      const before = tasks[row.get(id) - 1];
      const bend = x(before.end) + 4;
      return html`<path key=${`${id}-${task.id}`} d=${`M${x(before.end)} ${middle(row.get(id))} H${bend} V${middle(row.get(task.id))} H${x(task.start)}`} />`;
    }),
  );
  if (!paths.length) return null;
  return html`<svg class="gantt-links" viewBox=${`0 0 ${LINE_WIDTH} ${(tasks.length + 1) * ROW_PX}`} preserveAspectRatio="none"
    aria-hidden="true" data-testid="gantt-links">${paths}</svg>`;
}

function Chart({ project, tasks }) {
  const axis = axisOf([project, ...tasks]);
  const numbers = new Map(tasks.map((task) => [task.id, task.number]));
  return html`<div class="gantt-scroll">
    <div class="gantt-chart" style=${{ "--days": axis.days, "--day-w": `${axis.dayPx}px` }}
      data-from=${axis.from.toISOString()} data-to=${axis.to.toISOString()} data-testid="gantt-chart">
      <${Axis} axis=${axis} />
      <div class="gantt-body">
        <div class="gantt-row gantt-project">
          <div class="gantt-label"><strong>${project.number}</strong> ${t("gantt.progress", { n: project.progress })}</div>
          <div class="gantt-track"><${Bar} task=${project} axis=${axis} summary /></div>
        </div>
        ${tasks.map((task) => html`<${TaskRow} key=${task.id} task=${task} axis=${axis} numbers=${numbers} />`)}
        <${Links} tasks=${tasks} axis=${axis} />
        ${Date.now() > axis.from && Date.now() < axis.to
          ? html`<div class="gantt-today-line" style=${{ "--at": axis.fraction(Date.now()) }}></div>`
          : null}
      </div>
    </div>
  </div>`;
}

export default function Gantt({ params }) {
  const [data, setData] = useState(null);
  useEffect(() => {
    let current = true;
    setData(null);
    api(`/api/work-orders/${encodeURIComponent(params.id)}/gantt`).then(
      (answer) => current && setData({ project: withDates(answer.project), tasks: answer.tasks.map(withDates) }),
      (error) => current && setData({ error }),
    );
    return () => {
      current = false;
    };
  }, [params.id]);

  if (!data) return html`<p>${t("common.loading")}</p>`;
  if (data.error) {
    const { code, status, message } = data.error;
    const text = code === OFFLINE ? t("gantt.offline") : status === 404 || status === 400 ? t("gantt.not_found") : t("common.error", { message });
    return html`<section class="gantt"><h2>${t("gantt.title")}</h2>
      <p class="error" role="alert" data-testid="gantt-error">${text}</p></section>`;
  }
  const { project, tasks } = data;
  const unplanned = tasks.some((task) => !task.planned);
  return html`<section class="gantt" data-testid="gantt">
    <h2>${t("gantt.title")}</h2>
    <div class="card">
      <div class="row">
        <span class="number">${project.number}</span>
        <span class=${`gantt-status status-${project.status}`}>${t(`status.${project.status}`)}</span>
      </div>
      <strong>${project.title}</strong>
      <div class="gantt-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${project.progress}
        aria-label=${t("gantt.progress", { n: project.progress })} data-testid="gantt-progress">
        <span style=${{ width: `${project.progress}%` }}></span>
      </div>
      <p class="row"><span class="grow">${t("gantt.progress", { n: project.progress })}</span>
        <span>${t("gantt.span", { start: formatDay(project.start), end: formatDay(project.end) })}</span></p>
      <a href=${`#/orders/${project.id}`}>${t("gantt.open_project")}</a>
    </div>
    <h3>${t("gantt.tasks", { n: tasks.length })}</h3>
    ${tasks.length ? null : html`<p class="hint">${t("gantt.no_tasks")}</p>`}
    ${unplanned ? html`<p class="hint">${t("gantt.unplanned_help")}</p>` : null}
    <${Chart} project=${project} tasks=${tasks} />
  </section>`;
}
