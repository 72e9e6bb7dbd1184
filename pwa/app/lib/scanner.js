// Reading our asset labels. A label is a Code 128 barcode of the asset's tag and
// nothing else (inspection/labels.py: no URL, no QR), so the reader asks for that one
// symbology and accepts only what a tag may be (server/types.py, AssetTagInput). The
// camera's frames go through the browser's own BarcodeDetector when it reads Code 128,
// else through the ZXing WebAssembly polyfill, loaded from our server the first time
// the camera scans (its default would fetch the WebAssembly from a CDN).
import { api, OFFLINE } from "./api.js";
import { emit } from "./bus.js";
import { all, db } from "./db.js";

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FORMATS = ["code_128"];
const WASM = "/vendor/zxing_reader.wasm";
// A scan proves the inspector stood at the asset; one older than this proves nothing
// about an inspection made now, so the label must be read again.
const SCAN_VALID_MS = 30 * 60_000;
const SCAN_KEY = "fieldops.scan";

// The tag a scanned or typed code stands for (trimmed, upper case, as the server
// stores tags), or null when it cannot be one of our labels.
export function tagOf(code) {
  const trimmed = String(code ?? "").trim();
  return TAG.test(trimmed) ? trimmed.toUpperCase() : null;
}

let polyfill = null;

function loadPolyfill() {
  polyfill ??= import("../vendor/barcode-detector/ponyfill.js").then((module) => {
    module.setZXingModuleOverrides({
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM : prefix + path),
    });
    return module.BarcodeDetector;
  });
  return polyfill;
}

// Fetch the WebAssembly through the service worker, which keeps it, so that a phone
// that has not scanned yet can scan in a basement. Once kept, this costs no download.
export async function keepReaderOffline() {
  const Native = globalThis.BarcodeDetector;
  if (Native && (await Native.getSupportedFormats()).includes(FORMATS[0])) return;
  if (!navigator.serviceWorker?.controller) return; // kept only through the worker
  await fetch(WASM).catch(() => null);
}

// {detector, how}: how is "native" or "polyfill", which the screens show (and tests read).
export async function barcodeReader() {
  const Native = globalThis.BarcodeDetector;
  if (Native && (await Native.getSupportedFormats()).includes(FORMATS[0])) {
    return { detector: new Native({ formats: FORMATS }), how: "native" };
  }
  const Polyfill = await loadPolyfill();
  return { detector: new Polyfill({ formats: FORMATS }), how: "polyfill" };
}

export async function openCamera(video) {
  // "ideal": a laptop's only (front) camera still works.
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: "environment" } },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  return stream;
}

export function closeCamera(stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

// Reads the video about five times a second, handing each code to onCode (awaited, so
// one lookup at a time) until stopped; onError gets the first failure of the reader
// (e.g. its WebAssembly cannot load offline) and ends the loop. Returns stop().
export function watch(video, detector, { onCode, onError, everyMs = 200 }) {
  let stopped = false;
  let timer = null;
  async function tick() {
    try {
      if (video.readyState >= video.HAVE_CURRENT_DATA) {
        for (const found of await detector.detect(video)) {
          if (stopped) return;
          await onCode(found.rawValue);
        }
      }
    } catch (error) {
      if (!stopped) onError(error);
      return;
    }
    if (!stopped) timer = setTimeout(tick, everyMs);
  }
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

// Keep what the server answered for a code scanned online that the pull had not
// brought (a technician at an order's site may inspect what stands there), so the
// asset's screen and later scans work from the phone's copy like any other asset.
async function keepScan(answer) {
  const database = await db();
  const stores = ["assets", "sites", "checklists", "inspection_results"];
  const tx = database.transaction(stores, "readwrite");
  const work = [tx.objectStore("assets").put(answer.asset), tx.objectStore("sites").put(answer.site)];
  if (answer.checklist) work.push(tx.objectStore("checklists").put(answer.checklist));
  for (const result of answer.last_results) work.push(tx.objectStore("inspection_results").put(result));
  await Promise.all([...work, tx.done]);
  emit("data");
}

// What a code names: {asset} or {problem: "not_a_label" | "unknown" | "not_here", tag}.
// The phone's copy first (it works in a basement), then the server when online.
export async function findAsset(code) {
  const tag = tagOf(code);
  if (!tag) return { problem: "not_a_label", tag: String(code ?? "").trim() };
  const local = (await all("assets")).find((asset) => asset.tag === tag);
  if (local) return { asset: local };
  try {
    const answer = await api(`/api/scan/${encodeURIComponent(tag)}`);
    await keepScan(answer);
    return { asset: answer.asset };
  } catch (error) {
    if (error.code === "unknown_code") return { problem: "unknown", tag };
    if (error.code === OFFLINE) return { problem: "not_here", tag };
    throw error;
  }
}

// The last label read, for the inspection that follows: the code exactly as read or
// typed (the server keeps it as the proof) and how it was read.
export function rememberScan(assetId, code, how) {
  sessionStorage.setItem(SCAN_KEY, JSON.stringify({ asset_id: assetId, code, how, at: Date.now() }));
}

export function scanOf(assetId, now = Date.now()) {
  const scan = JSON.parse(sessionStorage.getItem(SCAN_KEY) ?? "null");
  return scan?.asset_id === assetId && now - scan.at < SCAN_VALID_MS ? scan : null;
}

export function forgetScan() {
  sessionStorage.removeItem(SCAN_KEY);
}
