// The scheduling board's grid: a row per person over the hours of a day or the days
// of a week, each planned order a chip in its assignee's row. While an order is being
// placed without dragging, every row offers its cells as buttons (arrow keys move
// between them, Enter or a tap places the order).
import { formatClock, formatDay } from "../lib/days.js";
import { t } from "../lib/i18n.js";
import { cellsOf, drawnSpan, fractionAt, lanes, plannedSpan } from "../lib/schedule.js";
import { html, useEffect, useMemo, useRef, useState } from "../lib/ui.js";

export function timeLabel(view, time) {
  return view === "week" ? formatDay(time) : formatClock(time);
}

// "Sat 11/28 10:00–11:00", or "10:00–11:00" on the day view's grid when the day goes
// without saying (a span across days always names them).
function spanLabel(span, compact = false) {
  if (!span) return t("schedule.not_planned");
  const sameDay = span.start.toDateString() === span.end.toDateString();
  if (compact && sameDay) return `${formatClock(span.start)}–${formatClock(span.end)}`;
  const end = sameDay ? formatClock(span.end) : `${formatDay(span.end)} ${formatClock(span.end)}`;
  return `${formatDay(span.start)} ${formatClock(span.start)}–${end}`;
}

// An order as the list and the board show it (`view`: the board's, which says when
// it is and in whose row); the copy that follows a drag is a clone of it.
export function Chip({ order, style, view, picked, error, onGrab, onPick, onDismiss }) {
  const span = plannedSpan(order);
  return html`<div class="sched-item" style=${style}>
    <button type="button" class=${`sched-chip status-${order.status}${order.saving ? " saving" : ""}`}
      data-testid="schedule-order" data-order=${order.id} aria-pressed=${String(picked)}
      aria-busy=${order.saving ? "true" : null} title=${`${order.number} ${order.title}`}
      onPointerDown=${(event) => onGrab(event, order)}
      onClick=${() => onPick(order)}>
      <span class="sched-chip-top">
        <span class=${`badge ${order.priority}`}>${order.priority}</span>
        <span class="number">${order.number}</span>
        <span class="sched-chip-status">${order.saving ? t("schedule.saving") : t(`status.${order.status}`)}</span>
      </span>
      <span class="sched-chip-title">${order.title}</span>
      <span class="sched-chip-when">${view
        ? spanLabel(span, view === "day")
        : `${spanLabel(span)} · ${order.assignee_name || t("schedule.nobody")}`}</span>
    </button>
    ${error
      ? html`<p class="sched-error error" role="alert" data-testid="schedule-error">${error}
          <button type="button" class="link" onClick=${() => onDismiss(order.id)}>${t("schedule.dismiss")}</button></p>`
      : null}
  </div>`;
}

function Axis({ view, columns }) {
  return html`<div class="sched-row sched-head" aria-hidden="true">
    <div class="sched-name">${t("schedule.person")}</div>
    <div class="sched-axis">
      ${columns.map(({ start }) => html`<span key=${+start}>${timeLabel(view, start)}</span>`)}
    </div>
  </div>`;
}

function Cells({ view, cells, person, row, cursor, onCell, onCursor }) {
  return html`<div class="sched-cells" style=${{ "--cells": cells.length }}>
    ${cells.map(
      (cell, col) => html`<button type="button" key=${col} class="sched-cell" data-cell=${`${row}:${col}`}
        tabindex=${cursor.row === row && cursor.col === col ? 0 : -1}
        aria-label=${t("schedule.cell", { person: person.display_name, time: timeLabel(view, cell.start) })}
        onFocus=${() => onCursor({ row, col })} onClick=${() => onCell(person, cell.start)}></button>`,
    )}
  </div>`;
}

function PersonRow({ view, columns, person, row, orders: unsorted, preview, cursor, picking, cells, chip, onCell, onCursor }) {
  // By time, so that orders drawn over the same whole days stack in the order they run.
  const orders = [...unsorted].sort((a, b) => Date.parse(a.planned_start_at) - Date.parse(b.planned_start_at));
  const spans = orders.map((order) => ({ id: order.id, ...drawnSpan(view, plannedSpan(order)) }));
  const { lane, count } = lanes(spans);
  const place = (span) => {
    const { start, end } = drawnSpan(view, span);
    const left = fractionAt(columns, start);
    return { left: `${left * 100}%`, width: `${(fractionAt(columns, end) - left) * 100}%` };
  };
  return html`<div class="sched-row" style=${{ "--lanes": count }}>
    <div class="sched-name"><strong>${person.display_name}</strong></div>
    <div class="sched-track" data-person=${person.id} data-testid="schedule-row">
      ${picking ? html`<${Cells} view=${view} cells=${cells} person=${person} row=${row} cursor=${cursor}
        onCell=${onCell} onCursor=${onCursor} />` : null}
      ${spans.map((span, i) => chip(orders[i], { ...place(span), top: `calc(${lane.get(span.id)} * var(--lane))` }, view))}
      ${preview
        ? html`<div class="sched-preview" style=${{ ...place(preview), top: 0 }} data-testid="schedule-preview">
            ${t("schedule.drop", { person: person.display_name, time: spanLabel(preview, view === "day") })}</div>`
        : null}
    </div>
  </div>`;
}

// Which cell the arrow keys lead to from (row, col).
function step(key, { row, col }, rows, cols) {
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const [dr, dc] = moves[key] ?? [0, 0];
  return { row: Math.min(Math.max(row + dr, 0), rows - 1), col: Math.min(Math.max(col + dc, 0), cols - 1) };
}

export function Board({ view, columns, people, departments, placed, picking, preview, chip, onCell, onCancelPick, scroller }) {
  const cells = useMemo(() => cellsOf(view, columns), [view, columns]);
  const [cursor, setCursor] = useState({ row: 0, col: 0 });
  const board = useRef(null);
  useEffect(() => {
    if (picking) board.current?.querySelector(`[data-cell="${cursor.row}:${cursor.col}"]`)?.focus();
  }, [picking]);
  function key(event) {
    if (!event.target.dataset?.cell) return;
    if (event.key === "Escape") return onCancelPick();
    const next = step(event.key, cursor, people.length, cells.length);
    if (next.row === cursor.row && next.col === cursor.col) return;
    event.preventDefault();
    setCursor(next);
    board.current.querySelector(`[data-cell="${next.row}:${next.col}"]`)?.focus();
  }
  const range = view === "week"
    ? `${formatDay(columns[0].start)} – ${formatDay(columns[columns.length - 1].start)}`
    : formatDay(columns[0].start, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
  // Focusable, so the board scrolls with the keyboard too.
  return html`<div class="sched-scroll" ref=${scroller} data-testid="schedule-board" tabindex="0"
    role="region" aria-label=${t("schedule.title")}>
    <div class=${`sched-board ${view}`} ref=${board} style=${{ "--cols": columns.length }} onKeyDown=${key}
      role="group" aria-label=${t("schedule.board", { range })}>
      <${Axis} view=${view} columns=${columns} />
      ${people.map((person, row) => [
        row === 0 || people[row - 1].department_id !== person.department_id
          ? html`<div class="sched-group" key=${`department-${person.department_id}`}>${departments.get(person.department_id) ?? ""}</div>`
          : null,
        html`<${PersonRow} key=${person.id} view=${view} columns=${columns} person=${person} row=${row}
          orders=${placed.filter((order) => order.assignee_id === person.id)}
          preview=${preview?.personId === person.id ? preview : null} cursor=${cursor} picking=${picking}
          cells=${cells} chip=${chip} onCell=${onCell} onCursor=${setCursor} />`,
      ])}
    </div>
  </div>`;
}
