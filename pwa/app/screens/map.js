// The managers' live map: open orders coloured by SLA state and field workers at their
// last known positions, kept current by the live feed (lib/livemap.js) without a
// reload. Below the map, the same people as a list (the map is no use to a screen
// reader) with their coordinates in data attributes, and what a tap on a marker chose.
import texts from "../i18n/manager.js";
import { api } from "../lib/api.js";
import { baseMap } from "../lib/basemap.js";
import { Failure } from "../lib/failure.js";
import { addTexts, formatTime, t } from "../lib/i18n.js";
import { isOpen } from "../lib/lifecycle.js";
import { follow } from "../lib/livemap.js";
import { addStylesheet } from "../lib/stylesheet.js";
import { html, useEffect, useRef, useState } from "../lib/ui.js";

addTexts(texts);

// Shapes and glyphs as well as colours: the state must not be told by colour alone.
const SLA_GLYPH = { breached: "!!", at_risk: "!", on_track: "✓", paused: "‖", none: "·" };
const SLA_STATES = Object.keys(SLA_GLYPH);
const WORKER_STATES = ["in_progress", "on_site", "en_route", "idle", "off_duty"];

function workerState(state) {
  return WORKER_STATES.slice(0, 3).includes(state) ? t(`status.${state}`) : t(`map.worker.${state}`);
}

function withFeature(features, feature) {
  const next = new Map(features);
  if (feature.properties.status && !isOpen(feature.properties.status)) next.delete(feature.id);
  else next.set(feature.id, feature);
  return next;
}

function byId(collection) {
  return new Map(collection.features.map((feature) => [feature.id, feature]));
}

// Marker text as a node, never as markup: names come from users.
function text(value) {
  return Object.assign(document.createElement("span"), { textContent: value });
}

function orderIcon(L, { properties: spot }) {
  return L.divIcon({
    className: `spot order ${spot.sla}`,
    html: text(SLA_GLYPH[spot.sla] ?? "·"),
    iconSize: [26, 26],
  });
}

function workerIcon(L, { properties: spot }) {
  return L.divIcon({
    className: `spot worker ${spot.state}`,
    html: text([...spot.name][0] ?? "?"),
    iconSize: [30, 30],
  });
}

// Markers follow the features: moved, redrawn or removed only where something changed.
function draw(view, kind, features, choose) {
  const { L, map, markers } = view;
  const seen = new Set();
  for (const feature of features.values()) {
    const key = `${kind}:${feature.id}`;
    seen.add(key);
    const [lng, lat] = feature.geometry.coordinates;
    const spot = feature.properties;
    const look = kind === "order" ? spot.sla : `${spot.state}${spot.name}`;
    let drawn = markers.get(key);
    if (!drawn) {
      const label = kind === "order" ? `${spot.number} ${spot.title}` : spot.name;
      const marker = L.marker([lat, lng], { title: label, keyboard: true, riseOnHover: true })
        .on("click", () => choose({ kind, id: feature.id }))
        .addTo(map);
      drawn = { marker, look: null };
      markers.set(key, drawn);
    }
    if (drawn.look !== look) {
      drawn.marker.setIcon(kind === "order" ? orderIcon(L, feature) : workerIcon(L, feature));
      drawn.marker.setZIndexOffset(kind === "worker" ? 1000 : 0);
      drawn.look = look;
    }
    drawn.marker.setLatLng([lat, lng]);
    const element = drawn.marker.getElement();
    if (element) Object.assign(element.dataset, { id: feature.id, kind, lat, lng });
  }
  for (const [key, drawn] of markers) {
    if (key.startsWith(`${kind}:`) && !seen.has(key)) {
      drawn.marker.remove();
      markers.delete(key);
    }
  }
}

function fit(view, orders, workers) {
  const points = [...orders.values(), ...workers.values()].map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
  if (points.length) view.map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
}

function Legend({ orders }) {
  const counts = {};
  for (const feature of orders.values()) counts[feature.properties.sla] = (counts[feature.properties.sla] ?? 0) + 1;
  return html`<ul class="legend" aria-label=${t("map.legend")} data-testid="map-legend">
    ${SLA_STATES.map(
      (state) => html`<li><span class=${`spot order ${state}`} aria-hidden="true">${SLA_GLYPH[state]}</span>
        ${t(`map.sla.${state}`)} <span class="number">(${counts[state] ?? 0})</span></li>`,
    )}
    <li><span class="spot worker idle" aria-hidden="true">A</span>${t("map.legend_worker")}</li>
  </ul>`;
}

function Chosen({ chosen, orders, workers }) {
  const feature = chosen && (chosen.kind === "order" ? orders : workers).get(chosen.id);
  if (!feature) return null;
  const spot = feature.properties;
  if (chosen.kind === "order") {
    return html`<div class="card" data-testid="map-chosen" role="status">
      <div class="row"><span class=${`badge ${spot.priority}`}>${spot.priority}</span><span class="number">${spot.number}</span></div>
      <strong>${spot.title}</strong>
      <p>${t(`status.${spot.status}`)} · ${t(`map.sla.${spot.sla}`)}${spot.due_at ? ` · ${t("map.due", { time: formatTime(spot.due_at) })}` : ""}</p>
      <a class="button" href=${`#/orders/${spot.id}`}>${t("map.open_order")}</a>
    </div>`;
  }
  return html`<div class="card" data-testid="map-chosen" role="status">
    <strong>${spot.name}</strong>
    <p>${workerState(spot.state)}${spot.on_duty ? "" : ` · ${t("map.worker.off_duty")}`}</p>
    ${spot.current_order_id
      ? html`<p>${t("map.current_order")} <a href=${`#/orders/${spot.current_order_id}`}>${spot.current_order_number}</a></p>`
      : html`<p>${t("map.no_current_order")}</p>`}
    <p class="hint">${t("map.fix", { time: formatTime(spot.fix_at), m: Math.round(spot.accuracy_m) })}</p>
  </div>`;
}

function Workers({ workers, choose }) {
  const sorted = [...workers.values()].sort((a, b) => a.properties.name.localeCompare(b.properties.name));
  return html`<h2>${t("map.workers", { n: sorted.length })}</h2>
    ${sorted.length ? null : html`<p class="hint">${t("map.no_workers")}</p>`}
    <ul class="list" data-testid="map-workers">
      ${sorted.map(({ id, geometry, properties: spot }) => html`<li key=${id} data-user=${id}
          data-lat=${geometry.coordinates[1]} data-lng=${geometry.coordinates[0]} data-state=${spot.state}>
        <button class="card worker-row" onClick=${() => choose({ kind: "worker", id })}>
          <strong>${spot.name}</strong>
          <span>${workerState(spot.state)}${spot.current_order_number ? ` · ${spot.current_order_number}` : ""}</span>
        </button>
      </li>`)}
    </ul>`;
}

export default function LiveMap() {
  const element = useRef(null);
  const view = useRef(null);
  const [orders, setOrders] = useState(new Map());
  const [workers, setWorkers] = useState(new Map());
  const [feed, setFeed] = useState("waiting");
  const [tilesFailed, setTilesFailed] = useState(false);
  const [chosen, setChosen] = useState(null);
  const [error, setError] = useState(null);

  function choose(what) {
    setChosen(what);
    const drawn = view.current?.markers.get(`${what.kind}:${what.id}`);
    if (drawn) view.current.map.panTo(drawn.marker.getLatLng());
  }

  useEffect(() => {
    addStylesheet("/manager.css");
    let gone = false;
    let stop = () => {};
    // Events that arrive while the snapshot is read go over it once it is in: the
    // snapshot may have been read before the change they report.
    let held = null;
    function apply(kind, feature) {
      (kind === "order" ? setOrders : setWorkers)((now) => withFeature(now, feature));
    }
    async function snapshot() {
      held = [];
      try {
        const [orderMap, workerMap] = await Promise.all([api("/api/map/orders"), api("/api/map/technicians")]);
        if (gone) return;
        const [nextOrders, nextWorkers] = [byId(orderMap), byId(workerMap)];
        setOrders(nextOrders);
        setWorkers(nextWorkers);
        setError(null);
        if (!view.current.fitted) fit(view.current, nextOrders, nextWorkers);
        view.current.fitted = true;
      } catch (failure) {
        if (!gone) setError(failure);
      } finally {
        for (const [kind, feature] of held) apply(kind, feature);
        held = null;
      }
    }
    baseMap(element.current, { onTilesFailed: () => setTilesFailed(true) }).then(({ L, map }) => {
      if (gone) return map.remove();
      view.current = { L, map, markers: new Map(), fitted: false };
      stop = follow({
        onConnect: snapshot,
        onState: setFeed,
        onEvent: (kind, feature) => (held ? held.push([kind, feature]) : apply(kind, feature)),
      });
      return null;
    }, setError);
    return () => {
      gone = true;
      stop();
      view.current?.map.remove();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    if (!view.current) return;
    draw(view.current, "order", orders, choose);
    draw(view.current, "worker", workers, choose);
  }, [orders, workers]);

  return html`<section>
    <h2>${t("nav.map")}</h2>
    <p class="hint" role="status" data-testid="map-feed" data-state=${feed}>
      ${t(`map.feed.${feed}`)}${tilesFailed ? ` · ${t("map.tiles_failed")}` : ""}
    </p>
    <${Failure} error=${error} />
    <div ref=${element} class="map live-map" role="application" aria-label=${t("map.label")}></div>
    <${Chosen} chosen=${chosen} orders=${orders} workers=${workers} />
    <${Legend} orders=${orders} />
    <${Workers} workers=${workers} choose=${choose} />
  </section>`;
}
