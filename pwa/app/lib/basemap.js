// A Leaflet map on the deployment's tile server (GET /api/client-config: OpenStreetMap
// by default, or an intranet one). Leaflet is fetched only by the screens that draw a
// map. Where tiles cannot load (an intranet without a tile server, no internet) the map
// stays usable: markers are drawn over a plain background (.map in manager.css) and
// `onTilesFailed` lets the screen say so.
import { addStylesheet } from "./stylesheet.js";

let leaflet = null;
let config = null;

export function loadLeaflet() {
  addStylesheet("/vendor/leaflet/leaflet.css");
  leaflet ??= import("../vendor/leaflet/leaflet-src.esm.js");
  return leaflet;
}

// Public and the same for everyone: asked once per page load; offline, no tiles.
function clientConfig() {
  config ??= fetch("/api/client-config")
    .then((response) => (response.ok ? response.json() : {}))
    .catch(() => ({}));
  return config;
}

export async function baseMap(element, { onTilesFailed } = {}) {
  const L = await loadLeaflet();
  const { map_tile_url: url, map_attribution: attribution } = await clientConfig();
  const map = L.map(element, { zoomControl: true, attributionControl: true, worldCopyJump: true });
  map.setView([20, 0], 2);
  L.control.scale({ imperial: false }).addTo(map);
  if (url) {
    let told = false;
    L.tileLayer(url, { attribution, maxZoom: 19 })
      .on("tileerror", () => {
        if (told) return;
        told = true;
        element.classList.add("tiles-failed");
        onTilesFailed?.();
      })
      .addTo(map);
  } else {
    element.classList.add("tiles-failed");
    onTilesFailed?.();
  }
  return { L, map };
}
