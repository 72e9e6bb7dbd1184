// Calendar arithmetic on the phone's wall clock. Days are added with the Date setters,
// not as 24 h of milliseconds, so a day across a daylight-saving change stays a day.
import { currentLanguage } from "./i18n.js";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function startOfDay(time) {
  const date = new Date(time);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

export function addDays(time, days) {
  const date = new Date(time);
  return new Date(
    date.getFullYear(),
    date.getMonth(),
    date.getDate() + days,
    date.getHours(),
    date.getMinutes(),
    date.getSeconds(),
    date.getMilliseconds(),
  );
}

// Whole days from a's day to b's day.
export function daysBetween(a, b) {
  return Math.round((startOfDay(b) - startOfDay(a)) / DAY_MS);
}

// Weeks start on Monday (ISO 8601, and in China).
export function startOfWeek(time) {
  const day = startOfDay(time);
  return addDays(day, -((day.getDay() + 6) % 7));
}

// The local date as the value of an <input type="date">.
export function dateValue(time) {
  const date = new Date(time);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function fromDateValue(value) {
  const [year, month, day] = value.split("-").map(Number);
  return new Date(year, month - 1, day);
}

export function formatDay(time, options = { weekday: "short", month: "numeric", day: "numeric" }) {
  return new Intl.DateTimeFormat(currentLanguage(), options).format(new Date(time));
}

export function formatClock(time) {
  return new Intl.DateTimeFormat(currentLanguage(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(time),
  );
}
