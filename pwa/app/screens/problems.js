import { formatTime, t } from "../lib/i18n.js";
import { dismissProblem, problems } from "../lib/sync.js";
import { html, useLive } from "../lib/ui.js";

// The changes the server did not take as made, with its reason, until dismissed.
export default function Problems({ user }) {
  const rows = useLive(() => problems(user.id));
  if (!Array.isArray(rows)) return html`<p>${t("common.loading")}</p>`;
  return html`<section>
    <h2>${t("problems.title")}</h2>
    ${rows.length === 0 ? html`<p>${t("problems.none")}</p>` : null}
    <ul class="list" data-testid="problems">
      ${rows.map(
        (row) => html`<li class="card" key=${row.key}>
          <div class="row">
            <strong class="grow">${row.mutation?.name ?? row.code}</strong>
            <span class="badge">${t(row.outcome === "conflict" ? "problems.conflict" : "problems.rejected")}</span>
          </div>
          <p>${row.message}</p>
          <p class="hint">${row.code} · ${formatTime(row.at)}</p>
          ${row.mutation?.args?.order_id
            ? html`<a href=${`#/orders/${row.mutation.args.order_id}`}>${row.mutation.args.order_id}</a>`
            : null}
          <div class="actions"><button class="secondary" onClick=${() => dismissProblem(row.key)}>${t("problems.dismiss")}</button></div>
        </li>`,
      )}
    </ul>
  </section>`;
}
