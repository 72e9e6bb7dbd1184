// Every text the app shows goes through t(). Each area of the app keeps its own table
// in i18n/<area>.js ({en: {...}, "zh-CN": {...}}, the same keys in both: tests/pwa
// checks); the language comes from the browser unless the user chose one.
import { emit } from "./bus.js";

export const LANGUAGES = ["zh-CN", "en"];
const tables = { en: {}, "zh-CN": {} };
const CHOSEN = "fieldops.language";

function browserLanguage() {
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    if (tag?.toLowerCase().startsWith("zh")) return "zh-CN";
    if (tag?.toLowerCase().startsWith("en")) return "en";
  }
  return "en";
}

let language = (typeof localStorage !== "undefined" && localStorage.getItem(CHOSEN)) || browserLanguage();

export function currentLanguage() {
  return language;
}

export function chooseLanguage(value) {
  language = LANGUAGES.includes(value) ? value : "en";
  localStorage.setItem(CHOSEN, language);
  document.documentElement.lang = language;
  emit("language");
}

export function addTexts(table) {
  for (const name of Object.keys(tables)) Object.assign(tables[name], table[name]);
}

// t("sla.due_in", {time: "2 h"}): the text in the current language with {names}
// filled in; a missing key shows itself, so it is seen and fixed.
export function t(key, values = {}) {
  const text = tables[language][key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function formatTime(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(language, { dateStyle: "short", timeStyle: "short" }).format(
    new Date(value),
  );
}

// A span of time as the largest whole unit or two: "2 h 5 min", "3 d".
export function formatDuration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days) return t("time.days_hours", { d: days, h: hours });
  if (hours) return t("time.hours_minutes", { h: hours, m: rest });
  return t("time.minutes", { m: rest });
}
