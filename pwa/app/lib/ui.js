// Preact with htm templates (no build step), plus the hooks every screen uses.
import {
  html,
  render,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "../vendor/preact-htm.js";
import { listen } from "./bus.js";

export { html, render, useCallback, useEffect, useMemo, useRef, useState };

// The value of an async read, read again whenever local data changes (a pull, a
// queued mutation, a language switch). `undefined` while the first read runs.
export function useLive(read, deps = []) {
  const [value, setValue] = useState(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => listen(() => setTick((n) => n + 1)), []);
  useEffect(() => {
    let current = true;
    read().then(
      (result) => current && setValue(result),
      (error) => current && setValue({ error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  return value;
}

// A clock for countdowns: re-renders every `ms`.
export function useNow(ms = 30000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function go(path) {
  location.hash = `#${path}`;
}
