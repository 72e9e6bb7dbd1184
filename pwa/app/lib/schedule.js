// The scheduling board's geometry: its columns (the hours of a day or the days of a
// week), where a time falls across them, and where a dropped order goes. Columns are
// drawn equally wide, so a position is "column index + fraction of that column" rather
// than a share of the whole range (a 25-hour day is still one column).
import { addDays, daysBetween, HOUR_MS, startOfDay, startOfWeek } from "./days.js";

export const FIRST_HOUR = 7;
export const LAST_HOUR = 20;
const SLOT_MINUTES = 30;
// A new placement in the week view, which only says which day.
const WEEK_PLACEMENT_HOUR = 8;
export const NEW_LENGTH_MS = HOUR_MS;

export function columnsOf(view, day) {
  const base = startOfDay(day);
  if (view === "week") {
    const monday = startOfWeek(base);
    return Array.from({ length: 7 }, (_, i) => ({ start: addDays(monday, i), end: addDays(monday, i + 1) }));
  }
  return Array.from({ length: LAST_HOUR - FIRST_HOUR }, (_, i) => {
    const start = new Date(base);
    start.setHours(FIRST_HOUR + i);
    const end = new Date(base);
    end.setHours(FIRST_HOUR + i + 1);
    return { start, end };
  });
}

// The cells a person's row offers for picking a time: half hours, or whole days.
export function cellsOf(view, columns) {
  if (view === "week") return columns;
  return columns.flatMap(({ start, end }) => {
    const middle = new Date(start.getTime() + SLOT_MINUTES * 60_000);
    return [{ start, end: middle }, { start: middle, end }];
  });
}

// Where `time` falls across the board, from 0 (its left edge) to 1 (its right edge).
export function fractionAt(columns, time) {
  const at = +time;
  if (at <= columns[0].start) return 0;
  if (at >= columns[columns.length - 1].end) return 1;
  const index = columns.findIndex((column) => at < column.end);
  const { start, end } = columns[index];
  return (index + (at - start) / (end - start)) / columns.length;
}

export function timeAt(columns, fraction) {
  const scaled = Math.min(Math.max(fraction, 0), 1) * columns.length;
  const index = Math.min(Math.floor(scaled), columns.length - 1);
  const { start, end } = columns[index];
  return new Date(+start + (scaled - index) * (end - start));
}

function slotMinutes(time, round) {
  const date = new Date(time);
  const minutes = date.getHours() * 60 + date.getMinutes() + date.getSeconds() / 60;
  const snapped = round(minutes / SLOT_MINUTES) * SLOT_MINUTES;
  return new Date(date.getFullYear(), date.getMonth(), date.getDate(), 0, snapped);
}

export function plannedSpan(order) {
  if (!order.planned_start_at) return null;
  const start = new Date(order.planned_start_at);
  const end = order.planned_end_at ? new Date(order.planned_end_at) : new Date(+start + NEW_LENGTH_MS);
  return { start, end };
}

// The planned span an order gets when dropped at `at` (the time under the pointer, or a
// cell's start). `grabbed` is the time under the pointer where a placed order was picked
// up: the order moves by the distance dragged. A placed order keeps its length; a new
// one lasts an hour. The day view snaps to half hours, the week view to whole days.
export function placement(view, order, at, grabbed = null) {
  const span = plannedSpan(order);
  const length = span ? span.end - span.start : NEW_LENGTH_MS;
  let start;
  if (view === "week") {
    start = span
      ? addDays(span.start, daysBetween(grabbed ?? span.start, at))
      : new Date(startOfDay(at).setHours(WEEK_PLACEMENT_HOUR));
  } else {
    start = span && grabbed ? slotMinutes(+span.start + (at - grabbed), Math.round) : slotMinutes(at, Math.floor);
  }
  return { start, end: new Date(+start + length) };
}

// Where an order is drawn: its planned span, or in the week view the whole days it
// touches (an hour would be a sliver of a day's column; its card says the hours).
export function drawnSpan(view, span) {
  if (view !== "week") return span;
  const last = startOfDay(Math.max(+span.start, +span.end - 1));
  return { start: startOfDay(span.start), end: addDays(last, 1) };
}

// Overlapping orders of one person share the row in lanes: each order takes the first
// lane free at its start. Returns {lane by order id, lanes}.
export function lanes(items) {
  const ends = [];
  const lane = new Map();
  for (const item of [...items].sort((a, b) => a.start - b.start)) {
    let index = ends.findIndex((end) => end <= item.start);
    if (index < 0) index = ends.length;
    ends[index] = item.end;
    lane.set(item.id, index);
  }
  return { lane, count: Math.max(ends.length, 1) };
}
