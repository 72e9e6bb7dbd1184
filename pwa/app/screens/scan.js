import texts from "../i18n/inspection.js";
import { addTexts, t } from "../lib/i18n.js";
import { barcodeReader, closeCamera, findAsset, openCamera, rememberScan, watch } from "../lib/scanner.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { go, html, useEffect, useRef, useState } from "../lib/ui.js";

addTexts(texts);
addStylesheet("/inspection.css");

// The same wrong label in front of the camera is looked up once, not five times a second.
const MISS_QUIET_MS = 3000;

function useVisible() {
  const [visible, setVisible] = useState(document.visibilityState === "visible");
  useEffect(() => {
    const changed = () => setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", changed);
    return () => document.removeEventListener("visibilitychange", changed);
  }, []);
  return visible;
}

function missText(found) {
  return t(`scan.${found.problem}`, { code: found.tag });
}

// The camera runs while the screen is shown and the user has not stopped it; a hidden
// page (another app in front) and leaving the screen both turn it off.
function Camera({ onCode }) {
  const video = useRef(null);
  const [wanted, setWanted] = useState(true);
  const visible = useVisible();
  const [state, setState] = useState("starting");
  const [how, setHow] = useState("");
  const on = wanted && visible;
  useEffect(() => {
    if (!on) {
      setState("stopped");
      return undefined;
    }
    let cancelled = false;
    let stream = null;
    let stop = null;
    setState("starting");
    (async () => {
      try {
        stream = await openCamera(video.current);
        if (cancelled) return;
        // Only now: without a camera there is nothing for the reader to read.
        const reader = await barcodeReader();
        if (cancelled) return;
        setHow(reader.how);
        setState("scanning");
        stop = watch(video.current, reader.detector, {
          onCode: (raw) => onCode(raw, reader.how),
          onError: () => setState("reader_failed"),
        });
      } catch (error) {
        if (!cancelled) setState(error.name === "NotAllowedError" ? "denied" : "no_camera");
      }
    })();
    return () => {
      cancelled = true;
      stop?.();
      closeCamera(stream);
    };
  }, [on]);
  const running = state === "scanning" || state === "starting";
  return html`<div class="card scanner" data-testid="scanner" data-state=${state} data-detector=${how}>
    <div class=${`viewfinder ${running ? "" : "off"}`}>
      <video ref=${video} muted playsinline aria-label=${t("scan.camera")}></video>
      ${running ? html`<div class="aim" aria-hidden="true"></div>` : null}
    </div>
    <p class=${state === "scanning" || state === "starting" || state === "stopped" ? "hint" : "error"} role="status">
      ${t(`scan.state.${state}`)}
    </p>
    <div class="actions">
      <button class="secondary" onClick=${() => setWanted(!wanted)}>
        ${t(wanted ? "scan.stop" : "scan.start")}
      </button>
    </div>
  </div>`;
}

export default function Scan() {
  const [code, setCode] = useState("");
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const lastMiss = useRef({ raw: null, at: 0 });

  // Opens the asset a code names; says why not otherwise.
  async function open(raw, how) {
    const found = await findAsset(raw);
    if (found.asset) {
      rememberScan(found.asset.id, raw.trim(), how);
      go(`/assets/${found.asset.id}`);
      return true;
    }
    setMessage(missText(found));
    return false;
  }

  async function fromCamera(raw, how) {
    const miss = lastMiss.current;
    if (raw === miss.raw && Date.now() - miss.at < MISS_QUIET_MS) return;
    let opened = false;
    try {
      opened = await open(raw, how);
    } catch (error) {
      setMessage(t("common.error", { message: error.message }));
    }
    if (!opened) lastMiss.current = { raw, at: Date.now() };
  }

  async function typed(event) {
    event.preventDefault();
    setBusy(true);
    try {
      await open(code, "typed");
    } catch (error) {
      setMessage(t("common.error", { message: error.message }));
    } finally {
      setBusy(false);
    }
  }

  return html`<section class="insp">
    <h2>${t("scan.title")}</h2>
    <${Camera} onCode=${fromCamera} />
    ${message ? html`<p class="error" role="alert" data-testid="scan-message">${message}</p>` : null}
    <form class="card" onSubmit=${typed} data-testid="manual-code">
      <label for="code">${t("scan.manual")}</label>
      <input id="code" name="code" value=${code} autocomplete="off" autocapitalize="characters" spellcheck="false"
        maxlength="200" onInput=${(e) => setCode(e.target.value)} />
      <p class="hint">${t("scan.manual_hint")}</p>
      <div class="actions"><button type="submit" disabled=${busy || !code.trim()}>${t("scan.open")}</button></div>
    </form>
  </section>`;
}
