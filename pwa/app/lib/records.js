// Records read straight from the API (the admin screens are online-only): a list with
// its filters and pages, the form that creates or edits one record, and the lookups
// other forms choose from.
import { api } from "./api.js";
import { Failure } from "./failure.js";
import { Control, RecordForm } from "./forms.js";
import { t } from "./i18n.js";
import { html, useEffect, useState } from "./ui.js";

// {value, error, reload} of an async read; read again when the network comes back.
export function useRemote(read, deps = []) {
  const [state, setState] = useState({ value: undefined, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const again = () => setTick((n) => n + 1);
    addEventListener("online", again);
    return () => removeEventListener("online", again);
  }, []);
  useEffect(() => {
    let current = true;
    read().then(
      (value) => current && setState({ value, error: null }),
      (error) => current && setState({ value: undefined, error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

const lists = new Map();

// The items of a collection to choose from (a team's department...), read once until
// forget() is told that it changed.
export function collection(path) {
  if (!lists.has(path)) {
    const read = api(path).then((answer) => answer.items);
    read.catch(() => lists.delete(path));
    lists.set(path, read);
  }
  return lists.get(path);
}

export function forget(prefix = "") {
  for (const path of [...lists.keys()]) if (path.startsWith(prefix)) lists.delete(path);
}

export function useCollection(path) {
  return useRemote(() => collection(path), [path]).value ?? [];
}

// id → its name, for table cells.
export function namer(items, text = (item) => item.name, key = (item) => item.id) {
  const names = new Map(items.map((item) => [key(item), text(item)]));
  return (id) => (id === null || id === undefined ? "" : (names.get(id) ?? id));
}

function Filters({ filters, query, setQuery }) {
  if (!filters.length) return null;
  return html`<div class="filters" role="search">
    ${filters.map(
      (filter) => html`<div class="field"><label for=${`f-${filter.name}`}>${t(filter.label)}</label>
        <${Control} field=${{ ...filter, empty_text: "admin.all" }} path=${filter.name} value=${query[filter.name]} labelled=${true}
          change=${(v) => setQuery({ ...query, [filter.name]: v })} /></div>`,
    )}
  </div>`;
}

function Table({ items, columns, keyOf, nameOf, select, edit }) {
  return html`<div class="table-scroll"><table class="records">
    <thead><tr>
      ${select ? html`<th scope="col"><span class="visually-hidden">${t("admin.selected")}</span></th>` : null}
      ${columns.map(([label]) => html`<th scope="col">${t(label)}</th>`)}
      <th scope="col"><span class="visually-hidden">${t("admin.row_actions")}</span></th>
    </tr></thead>
    <tbody>${items.map((record) => html`<tr key=${keyOf(record)} data-key=${keyOf(record)}>
      ${select
        ? html`<td><input type="checkbox" class="pick" aria-label=${t("admin.select", { name: nameOf(record) })}
            checked=${select.chosen.has(keyOf(record))} onChange=${(e) => select.toggle(record, e.target.checked)} /></td>`
        : null}
      ${columns.map(([, cell, kind]) => html`<td class=${kind}>${cell(record)}</td>`)}
      <td><button class="secondary" aria-label=${t("admin.edit_named", { name: nameOf(record) })}
        onClick=${() => edit({ record, creating: false })}>${t("admin.edit")}</button></td>
    </tr>`)}</tbody>
  </table></div>`;
}

// A collection's list and the form of one of its records: everything the screens of
// plain master data need. `path` is the API collection; the rest describes it.
export function Section({
  title, path, columns, fields, filters = [], paged = false, creatable = true, deletable = true,
  keyOf = (record) => record.id, nameOf = (record) => record.name, blank = null,
  locate, toBody, select, toolbar, extra,
}) {
  const [query, setQuery] = useState(() => Object.fromEntries(filters.map((f) => [f.name, f.initial ?? ""])));
  const [editing, setEditing] = useState(null);
  const [notice, setNotice] = useState(null);
  const [more, setMore] = useState({ items: [], cursor: undefined, error: null });
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString();
  const list = useRemote(() => api(`${path}/${search ? `?${search}` : ""}`), [path, search]);
  useEffect(() => setMore({ items: [], cursor: undefined, error: null }), [list.value]);

  const items = [...(list.value?.items ?? []), ...more.items];
  const cursor = more.cursor === undefined ? list.value?.next_cursor : more.cursor;
  async function loadMore() {
    const params = new URLSearchParams(search);
    params.set("cursor", cursor);
    try {
      const page = await api(`${path}/?${params}`);
      setMore({ items: [...more.items, ...page.items], cursor: page.next_cursor ?? null, error: null });
    } catch (error) {
      setMore({ ...more, error });
    }
  }
  function done(saved) {
    forget(path);
    setNotice(saved ? t("admin.saved", { name: nameOf(saved) }) : t("admin.deleted"));
    setEditing(null);
    list.reload();
  }

  if (editing) {
    const { record, creating } = editing;
    const url = creating ? `${path}/` : `${path}/${encodeURIComponent(keyOf(record))}`;
    return html`<${RecordForm} key=${creating ? "new" : keyOf(record)} fields=${fields} record=${record} creating=${creating}
      title=${creating ? t("admin.new_in", { what: t(title) }) : t("admin.editing", { name: nameOf(record) })}
      save=${(body) => api(url, { method: creating ? "POST" : "PATCH", body })}
      remove=${deletable ? () => api(url, { method: "DELETE" }) : null}
      done=${done} cancel=${() => setEditing(null)} locate=${locate} toBody=${toBody}
      extra=${extra && !creating ? (actions) => extra(record, actions) : null} />`;
  }
  return html`<section class="records-section" aria-busy=${String(list.value === undefined && !list.error)}>
    <div class="row">
      <h2 class="grow">${t(title)}</h2>
      ${creatable ? html`<button onClick=${() => setEditing({ record: blank, creating: true })}>${t("admin.new")}</button>` : null}
    </div>
    ${notice ? html`<p class="ok" role="status">${notice}</p>` : null}
    <${Filters} filters=${filters} query=${query} setQuery=${setQuery} />
    ${toolbar ? toolbar({ items, query }) : null}
    <${Failure} error=${list.error} />
    ${list.value === undefined && !list.error ? html`<p>${t("common.loading")}</p>` : null}
    ${list.value && !items.length ? html`<p>${t("admin.empty")}</p>` : null}
    ${items.length ? html`<${Table} items=${items} columns=${columns} keyOf=${keyOf} nameOf=${nameOf} select=${select} edit=${setEditing} />` : null}
    ${paged && cursor ? html`<div class="actions"><button class="secondary" onClick=${loadMore}>${t("admin.more")}</button></div>` : null}
    <${Failure} error=${more.error} />
  </section>`;
}
