// The scheduling board (managers): technicians x the hours of a day or the days of a
// week. An order dragged (mouse, pen or touch) or placed (keyboard, tap) onto a person
// and a time is assigned to them and planned there, on the server at once: the board is
// online-only, like the other dispatch screens.
import texts from "../i18n/planning.js";
import { api, OFFLINE } from "../lib/api.js";
import { addDays, dateValue, fromDateValue, startOfDay } from "../lib/days.js";
import { dropTarget, startDrag } from "../lib/dragging.js";
import { addTexts, t } from "../lib/i18n.js";
import { columnsOf, placement, plannedSpan, timeAt } from "../lib/schedule.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useMemo, useRef, useState } from "../lib/ui.js";
import { Board, Chip } from "./schedule_board.js";

addTexts(texts);
addStylesheet("/planning.css");

const VIEW_KEY = "fieldops.schedule.view";
const PAGE = 200;
const MAX_PAGES = 5;

async function openOrders() {
  const orders = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ view: "unresolved", sort: "-created_at", limit: String(PAGE) });
    if (cursor) query.set("cursor", cursor);
    const answer = await api(`/api/work-orders?${query}`);
    orders.push(...answer.items);
    cursor = answer.next_cursor;
    if (!cursor) return { orders, truncated: false };
  }
  return { orders, truncated: true };
}

async function loadBoard() {
  const [technicians, inspectors, departments, open] = await Promise.all([
    api("/api/users?role=technician"),
    api("/api/users?role=inspector"),
    api("/api/departments"),
    openOrders(),
  ]);
  const people = [...technicians.items, ...inspectors.items].filter((person) => person.active);
  return { people, departments: departments.items, ...open };
}

function refusal(error) {
  if (error.code === OFFLINE) return t("schedule.offline");
  if (error.code === "version_conflict") return t("schedule.error.version_conflict");
  if (error.code === "illegal_transition") return t("schedule.error.illegal_transition");
  if (error.status === 403) return t("schedule.error.forbidden", { message: error.message });
  return t("schedule.error", { message: error.message });
}

// The departments a manager sees orders of: the API scopes the order list to them, so
// they are the departments of the orders it returned, and the manager's own.
function ownDepartments(user, orders) {
  return new Set([user.department_id, ...orders.map((order) => order.department_id)].filter(Boolean));
}

function Toolbar({ view, setView, day, setDay, department, setDepartment, departments, user, reload }) {
  const stride = view === "week" ? 7 : 1;
  return html`<div class="sched-toolbar">
    <div class="segmented" role="group" aria-label=${t("schedule.view")}>
      ${["day", "week"].map(
        (name) => html`<button type="button" aria-pressed=${String(view === name)} onClick=${() => setView(name)}>${t(`schedule.${name}`)}</button>`,
      )}
    </div>
    <div class="row sched-dates">
      <button type="button" class="secondary" onClick=${() => setDay(addDays(day, -stride))}>
        <span aria-hidden="true">‹</span><span class="visually-hidden">${t("schedule.previous")}</span></button>
      <label class="visually-hidden" for="sched-date">${t("schedule.date")}</label>
      <input id="sched-date" type="date" class="grow" value=${dateValue(day)}
        onChange=${(event) => event.target.value && setDay(fromDateValue(event.target.value))} />
      <button type="button" class="secondary" onClick=${() => setDay(addDays(day, stride))}>
        <span aria-hidden="true">›</span><span class="visually-hidden">${t("schedule.next")}</span></button>
    </div>
    <div class="row">
      <button type="button" class="secondary" onClick=${() => setDay(startOfDay(Date.now()))}>${t("schedule.today")}</button>
      <label class="visually-hidden" for="sched-department">${t("schedule.department")}</label>
      <select id="sched-department" class="grow" value=${department} onChange=${(event) => setDepartment(event.target.value)}>
        ${user.role === "admin" ? null : html`<option value="mine">${t("schedule.my_departments")}</option>`}
        <option value="all">${t("schedule.all_departments")}</option>
        ${departments.map((item) => html`<option value=${item.id}>${item.name}</option>`)}
      </select>
      <button type="button" class="secondary" onClick=${reload}>${t("schedule.refresh")}</button>
    </div>
  </div>`;
}

export default function Schedule({ user }) {
  const [view, setViewState] = useState(localStorage.getItem(VIEW_KEY) || "day");
  const [day, setDay] = useState(startOfDay(Date.now()));
  const [department, setDepartment] = useState(user.role === "admin" ? "all" : "mine");
  const [data, setData] = useState(null);
  const [reloads, setReloads] = useState(0);
  const [picked, setPicked] = useState(null);
  const [preview, setPreview] = useState(null);
  const [errors, setErrors] = useState({});
  const [find, setFind] = useState("");
  const scroller = useRef(null);

  useEffect(() => {
    let current = true;
    loadBoard().then(
      (loaded) => current && setData(loaded),
      (error) => current && setData({ error }),
    );
    return () => {
      current = false;
    };
  }, [reloads]);

  const columns = useMemo(() => columnsOf(view, day), [view, +day]);
  const shown = useMemo(() => {
    if (!data || data.error) return null;
    const mine = ownDepartments(user, data.orders);
    const wanted = (id) => department === "all" || (department === "mine" ? mine.has(id) : id === department);
    const names = new Map(data.departments.map((item) => [item.id, item.name]));
    const people = data.people
      .filter((person) => wanted(person.department_id))
      .sort((a, b) => (names.get(a.department_id) ?? "").localeCompare(names.get(b.department_id) ?? "") || a.display_name.localeCompare(b.display_name));
    const rows = new Set(people.map((person) => person.id));
    const [first, last] = [columns[0].start, columns[columns.length - 1].end];
    // A project is planned through its tasks (its Gantt chart), not as one block.
    const orders = data.orders.filter((order) => order.kind !== "project" || order.parent_id);
    const placed = orders.filter((order) => {
      const span = plannedSpan(order);
      return span && rows.has(order.assignee_id) && span.start < last && span.end > first;
    });
    const text = find.trim().toLowerCase();
    const toPlan = orders.filter(
      (order) => (!order.planned_start_at || !order.assignee_id) && (!order.department_id || wanted(order.department_id)) &&
        (!text || `${order.number} ${order.title}`.toLowerCase().includes(text)),
    );
    return { people, placed, toPlan, names };
  }, [data, department, columns, find]);

  // Giving up placing returns the keyboard to the order's card.
  function stopPicking() {
    document.querySelector(`[data-testid=schedule-order][data-order="${picked}"]`)?.focus();
    setPicked(null);
  }

  function setView(name) {
    localStorage.setItem(VIEW_KEY, name);
    setViewState(name);
  }

  function replace(id, order) {
    setData((current) => ({ ...current, orders: current.orders.map((item) => (item.id === id ? order : item)) }));
  }

  async function save(order, personId, span) {
    setPicked(null);
    setErrors(({ [order.id]: _, ...rest }) => rest);
    const planned = { planned_start_at: span.start.toISOString(), planned_end_at: span.end.toISOString() };
    const person = data.people.find((candidate) => candidate.id === personId);
    replace(order.id, { ...order, ...planned, assignee_id: personId, assignee_name: person?.display_name, saving: true });
    try {
      // The edit first, against the version the board showed: a stale board is refused
      // before anything changes.
      let saved = await api(`/api/work-orders/${order.id}`, { method: "PATCH", body: { ...planned, version: order.version } });
      if (order.assignee_id !== personId) {
        try {
          saved = await api(`/api/work-orders/${order.id}/assignment`, {
            method: "POST",
            body: { assignee_id: personId, reason: order.assignee_id ? t("schedule.transfer_reason") : "" },
          });
        } catch (error) {
          // Not assigned: take the new times back too, so the order is as it was.
          const before = { planned_start_at: order.planned_start_at, planned_end_at: order.planned_end_at };
          await api(`/api/work-orders/${order.id}`, { method: "PATCH", body: before }).catch(() => null);
          throw error;
        }
      }
      replace(order.id, saved);
    } catch (error) {
      replace(order.id, order);
      setErrors((current) => ({ ...current, [order.id]: refusal(error) }));
      if (error.code === "version_conflict") setReloads((n) => n + 1);
    }
  }

  // Where a drag let go at `point` puts `order`: a person and a span, or null (put back).
  function target(point, order, grabbed) {
    const track = dropTarget(point, "[data-person]");
    if (!track) return null;
    const box = track.getBoundingClientRect();
    const at = timeAt(columns, (point.x - box.left) / box.width);
    return { personId: track.dataset.person, ...placement(view, order, at, grabbed) };
  }

  function grab(event, order) {
    if (order.saving) return;
    const track = event.currentTarget.closest("[data-person]");
    const box = track?.getBoundingClientRect();
    // A placed order moves by the distance dragged; a new one goes where it is let go.
    const grabbed = track ? timeAt(columns, (event.clientX - box.left) / box.width) : null;
    let shownAt = "";
    startDrag(event, {
      scroller: scroller.current,
      onMove(point) {
        const next = target(point, order, grabbed);
        const key = next ? `${next.personId}@${+next.start}` : "";
        if (key !== shownAt) setPreview(next);
        shownAt = key;
      },
      onDrop(point) {
        setPreview(null);
        const next = target(point, order, grabbed);
        if (next) save(order, next.personId, next);
      },
      onCancel: () => setPreview(null),
    });
  }

  if (!data) return html`<p>${t("common.loading")}</p>`;
  if (data.error) {
    const offline = data.error.code === OFFLINE;
    return html`<section class="sched">
      <h2>${t("schedule.title")}</h2>
      <p class="error" role="alert" data-testid="schedule-offline">${offline ? t("schedule.offline") : t("common.error", { message: data.error.message })}</p>
      <button type="button" onClick=${() => setReloads((n) => n + 1)}>${t("schedule.refresh")}</button>
    </section>`;
  }
  const pickedOrder = picked && data.orders.find((order) => order.id === picked);
  const chip = (order, style, placedIn = null) => html`<${Chip} key=${order.id} order=${order} style=${style} view=${placedIn} picked=${picked === order.id}
    error=${errors[order.id]} onGrab=${grab} onPick=${(chosen) => setPicked(picked === chosen.id ? null : chosen.id)}
    onDismiss=${(id) => setErrors(({ [id]: _, ...rest }) => rest)} />`;
  return html`<section class="sched" data-testid="schedule">
    <h2>${t("schedule.title")}</h2>
    <p class="hint">${t("schedule.help")}</p>
    <${Toolbar} view=${view} setView=${setView} day=${day} setDay=${setDay} department=${department}
      setDepartment=${setDepartment} departments=${data.departments} user=${user} reload=${() => setReloads((n) => n + 1)} />
    ${pickedOrder
      ? html`<div class="banner sched-placing" role="status">
          <p>${t("schedule.placing", { number: pickedOrder.number })}</p>
          <a href=${`#/orders/${pickedOrder.id}`}>${t("schedule.open_order")}</a>
          <button type="button" class="secondary" onClick=${stopPicking}>${t("common.cancel")}</button>
        </div>`
      : null}
    <div class="sched-layout">
      <section class="sched-list" aria-labelledby="sched-to-plan">
        <h3 id="sched-to-plan">${t("schedule.to_plan", { n: shown.toPlan.length })}</h3>
        <label class="visually-hidden" for="sched-find">${t("schedule.find")}</label>
        <input id="sched-find" type="search" placeholder=${t("schedule.find")} value=${find} onInput=${(event) => setFind(event.target.value)} />
        ${data.truncated ? html`<p class="hint">${t("schedule.truncated", { n: data.orders.length })}</p>` : null}
        ${shown.toPlan.length ? null : html`<p class="hint">${t("schedule.to_plan_none")}</p>`}
        <div class="sched-strip" data-testid="schedule-to-plan">${shown.toPlan.map((order) => chip(order, null))}</div>
      </section>
      ${shown.people.length
        ? html`<${Board} view=${view} columns=${columns} people=${shown.people} departments=${shown.names} placed=${shown.placed}
            picking=${Boolean(pickedOrder)} preview=${preview} chip=${chip} scroller=${scroller}
            onCell=${(person, start) => save(pickedOrder, person.id, placement(view, pickedOrder, start))}
            onCancelPick=${stopPicking} />`
        : html`<p class="hint">${t("schedule.no_people")}</p>`}
    </div>
  </section>`;
}
