// Check in and out with the phone's position; the distance to the site and the geofence
// verdict show at once (the server judges again when the mutation arrives).
import { emit } from "../../lib/bus.js";
import { db } from "../../lib/db.js";
import { formatTime, t } from "../../lib/i18n.js";
import { distanceM, position } from "../../lib/position.js";
import { newId, queue } from "../../lib/sync.js";
import { html, useState } from "../../lib/ui.js";

// Whether the user is checked in now: their latest check-in or check-out, from this
// phone's log or from the order's history (made on another phone, or before this
// phone's data was renewed).
function checkedIn(checkins, events, user) {
  const steps = [
    ...checkins.map((entry) => ({ kind: entry.kind, at: entry.at })),
    ...events
      .filter((event) => event.actor_id === user.id && ["check_in", "check_out"].includes(event.kind))
      .map((event) => ({ kind: event.kind, at: event.device_time || event.at })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return steps.at(-1)?.kind === "check_in";
}

export function CheckIn({ order, site, checkins: everyone, events, user }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const checkins = everyone.filter((entry) => entry.user_id === user.id); // a shared phone
  const inside = checkedIn(checkins, events, user);
  async function record(kind) {
    setBusy(true);
    setError(null);
    try {
      const fix = await position();
      const id = newId();
      const at = new Date();
      const distance = site ? distanceM(fix, site) : null;
      await queue(
        "check_in",
        {
          order_id: order.id,
          id,
          kind,
          latitude: fix.latitude,
          longitude: fix.longitude,
          // The server wants a positive accuracy; some fixes (emulators) report 0.
          accuracy_m: Math.min(Math.max(fix.accuracy || 1, 1), 100000),
        },
        at,
      );
      // Kept on the phone: the pull does not bring check-ins back.
      await (await db()).put("checkins", {
        id,
        user_id: user.id,
        order_id: order.id,
        kind,
        at: at.toISOString(),
        distance_m: distance,
        radius_m: site?.geofence_radius_m ?? null,
        accuracy_m: fix.accuracy,
      });
      // queue() announced the outbox before this row was written: screens that read
      // then would miss the entry until the next change.
      emit("checkins");
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="card" data-testid="checkin">
    <strong>${t("checkin.title")}</strong>
    ${checkins.map((entry) => {
      // The fix's accuracy counts, up to the radius itself (geo/fence.py).
      const allowance = Math.min(entry.accuracy_m ?? 0, entry.radius_m);
      const within = entry.distance_m !== null && entry.distance_m <= entry.radius_m + allowance;
      return html`<p data-testid="checkin-entry">
        ${t(`checkin.${entry.kind}`)} · ${formatTime(entry.at)} ·
        ${entry.distance_m === null
          ? t("checkin.no_site")
          : html`${t("checkin.distance", { m: Math.round(entry.distance_m) })}
              <span class=${within ? "ok" : "error"}>${t(within ? "checkin.inside" : "checkin.outside", { r: Math.round(entry.radius_m) })}</span>`}
      </p>`;
    })}
    ${error ? html`<p class="error" role="alert">${t("checkin.failed", { message: error })}</p>` : null}
    <div class="actions">
      <button disabled=${busy} onClick=${() => record(inside ? "check_out" : "check_in")}>
        ${t(inside ? "checkin.check_out" : "checkin.check_in")}
      </button>
    </div>
  </div>`;
}
