// A site's point picked on a Leaflet map, its geofence drawn as a circle. Where tiles
// cannot load (lib/basemap.js) the map stays usable on its plain background: a click
// still places the point, the other sites give bearings, and coordinates can be typed.
import { baseMap } from "../../lib/basemap.js";
import { t } from "../../lib/i18n.js";
import { html, useEffect, useRef, useState } from "../../lib/ui.js";

// Where a map with no point yet opens when there are no sites to centre on.
const FALLBACK_CENTRE = [31.2304, 121.4737];
const DIGITS = 1e6; // 6 decimals: about 0.1 m

const round = (x) => Math.round(x * DIGITS) / DIGITS;

function pointOf(latitude, longitude) {
  const lat = Number.parseFloat(latitude);
  const lng = Number.parseFloat(longitude);
  return Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? [lat, lng] : null;
}

export function SiteMap({ latitude, longitude, radius, pick, around, others = [] }) {
  const box = useRef(null);
  const view = useRef(null);
  const picked = useRef(pick);
  picked.current = pick;
  const [ready, setReady] = useState(false);
  const [tilesFailed, setTilesFailed] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    let alive = true;
    baseMap(box.current, { onTilesFailed: () => setTilesFailed(true) }).then(({ L, map }) => {
      if (!alive) return map.remove();
      const point = pointOf(latitude, longitude);
      map.setView(point ?? around ?? FALLBACK_CENTRE, point ? 17 : 15);
      map.on("click", (event) => picked.current(round(event.latlng.lat), round(event.latlng.lng)));
      // What the map shows, for whoever checks a click against it (the browser tests).
      const report = () => {
        const centre = map.getCenter();
        Object.assign(box.current.dataset, { centreLat: centre.lat, centreLng: centre.lng, zoom: map.getZoom() });
      };
      map.on("moveend zoomend", report);
      report();
      view.current = { L, map, marker: null, circle: null, others: L.layerGroup().addTo(map) };
      setReady(true);
    }, setError);
    return () => {
      alive = false;
      view.current?.map.remove();
      view.current = null;
    };
  }, []);

  // The other sites as faint dots: bearings when there are no tiles to show streets.
  useEffect(() => {
    const current = view.current;
    if (!current) return;
    current.others.clearLayers();
    for (const site of others) {
      current.L.circleMarker([site.latitude, site.longitude], { radius: 4, weight: 1, color: "#4f5b6b", fillOpacity: 0.5 })
        // An element, not a string: Leaflet writes string content as HTML.
        .bindTooltip(Object.assign(document.createElement("span"), { textContent: site.name }))
        .addTo(current.others);
    }
  }, [ready, others]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const { L, map } = current;
    const point = pointOf(latitude, longitude);
    current.marker?.remove();
    current.circle?.remove();
    current.marker = current.circle = null;
    if (!point) return;
    current.circle = L.circle(point, { radius: Math.max(Number(radius) || 0, 0), weight: 2 }).addTo(map);
    current.marker = L.circleMarker(point, { radius: 7, weight: 3, fillOpacity: 1 }).addTo(map);
    if (!map.getBounds().contains(point)) map.panTo(point);
  }, [ready, latitude, longitude, radius]);

  return html`<div class="site-map-wrap">
    <p class="hint" id="site-map-help">${t("admin.sites.map_help")}</p>
    <div ref=${box} class="map site-map" data-testid="site-map"
      role="application" aria-label=${t("admin.sites.map")} aria-describedby="site-map-help"></div>
    ${tilesFailed ? html`<p class="hint" role="status">${t("admin.sites.no_tiles")}</p>` : null}
    ${error ? html`<p class="error" role="alert">${t("common.error", { message: error.message })}</p>` : null}
  </div>`;
}
