// Parts taken from the technician's van and the time worked, as offline mutations.
import { all } from "../../lib/db.js";
import { t } from "../../lib/i18n.js";
import { newId, queue } from "../../lib/sync.js";
import { html, useLive, useState } from "../../lib/ui.js";

export function PartsAndLabour({ order }) {
  const stock = useLive(() => all("stock"));
  const [line, setLine] = useState("");
  const [quantity, setQuantity] = useState(1);
  const [minutes, setMinutes] = useState("");
  const [done, setDone] = useState(null);
  const lines = Array.isArray(stock) ? stock.filter((row) => row.quantity > 0) : [];
  async function usePart(event) {
    event.preventDefault();
    const chosen = lines.find((row) => row.id === line);
    if (!chosen) return;
    await queue("use_part", {
      order_id: order.id,
      id: newId(),
      part_id: chosen.part_id,
      store_id: chosen.store_id,
      quantity: Number(quantity),
    });
    setDone(t("parts.used", { n: quantity, name: chosen.name }));
  }
  async function logLabour(event) {
    event.preventDefault();
    await queue("log_labour", { order_id: order.id, id: newId(), minutes: Number(minutes) });
    setDone(t("labour.logged", { m: minutes }));
    setMinutes("");
  }
  return html`<div class="card">
    <form onSubmit=${usePart}>
      <label for="part">${t("parts.title")}</label>
      <select id="part" value=${line} onChange=${(e) => setLine(e.target.value)}>
        <option value="">${lines.length ? t("parts.choose") : t("parts.none")}</option>
        ${lines.map((row) => html`<option value=${row.id}>${row.code} ${row.name} (${row.quantity} ${row.unit})</option>`)}
      </select>
      <label for="quantity">${t("parts.quantity")}</label>
      <input id="quantity" type="number" min="1" inputmode="numeric" value=${quantity} onInput=${(e) => setQuantity(e.target.value)} />
      <div class="actions"><button type="submit" disabled=${!line || Number(quantity) < 1}>${t("parts.use")}</button></div>
    </form>
    <form onSubmit=${logLabour}>
      <label for="minutes">${t("labour.minutes")}</label>
      <input id="minutes" type="number" min="1" max="1440" inputmode="numeric" value=${minutes} onInput=${(e) => setMinutes(e.target.value)} />
      <div class="actions"><button type="submit" disabled=${!(Number(minutes) >= 1)}>${t("labour.log")}</button></div>
    </form>
    ${done ? html`<p class="ok" role="status">${done}</p>` : null}
  </div>`;
}
