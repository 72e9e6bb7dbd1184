// Inspections as the phone shows them: the pulled round runs and results with the
// user's own unanswered record_inspection and skip_checkpoint mutations laid over them
// (overlay.js does the same for orders), and answers judged as the server will judge
// them (inspection/checklists.py), so a failure shows while it is typed.
import { session } from "./api.js";
import { all, get } from "./db.js";
import { isOpen } from "./lifecycle.js";
import { localOrders } from "./orders.js";
import { tagOf } from "./scanner.js";
import { outbox } from "./sync.js";

const OPEN_RUN = new Set(["scheduled", "in_progress"]);
const HISTORY = 10;

export function isOpenRun(run) {
  return OPEN_RUN.has(run.status);
}

// Why an answer fails its item ({why, ...values for the text}), or null. The limits
// themselves pass, as on the server.
export function failureOf(item, answer) {
  if (answer === undefined || answer === null || answer === "") return null;
  if (item.kind === "pass_fail") return answer === false ? { why: "failed" } : null;
  if (item.kind === "number") {
    if (item.min !== null && item.min !== undefined && answer < item.min) return { why: "below", limit: item.min };
    if (item.max !== null && item.max !== undefined && answer > item.max) return { why: "above", limit: item.max };
    return null;
  }
  if (item.kind === "choice") return item.failing_choices.includes(answer) ? { why: "failing_choice" } : null;
  return null;
}

// The required items not answered yet: the server would reject the whole result.
export function missingAnswers(items, answers) {
  return items.filter((item) => item.required && (answers[item.key] ?? "") === "");
}

function assetIdsByTag(assets) {
  return new Map(assets.map((asset) => [asset.tag, asset.id]));
}

// The asset a queued record_inspection is of: its code is all it names.
function assetOfMutation(mutation, idOfTag) {
  if (mutation.name === "record_inspection") return idOfTag.get(tagOf(mutation.args.code));
  if (mutation.name === "skip_checkpoint") return mutation.args.asset_id;
  return null;
}

export function overlayRun(run, mutations, idOfTag) {
  const checkpoints = run.checkpoints.map((checkpoint) => ({ ...checkpoint }));
  let queued = 0;
  for (const mutation of mutations) {
    if (mutation.args.run_id !== run.id) continue;
    const assetId = assetOfMutation(mutation, idOfTag);
    const checkpoint = checkpoints.find((candidate) => candidate.asset_id === assetId);
    if (!checkpoint || checkpoint.state !== "pending") continue;
    const at = mutation.device_time;
    if (mutation.name === "skip_checkpoint") {
      Object.assign(checkpoint, { state: "skipped", reason: mutation.args.reason, at, pending: true });
    } else if (Date.parse(at) <= Date.parse(run.due_at)) {
      // The server ticks a checkpoint only with a result made inside the window.
      Object.assign(checkpoint, { state: "done", result_id: mutation.args.id, at, pending: true });
    } else {
      continue;
    }
    queued += 1;
  }
  const count = (state) => checkpoints.filter((checkpoint) => checkpoint.state === state).length;
  const done = count("done");
  const skipped = count("skipped");
  const total = checkpoints.length;
  let { status } = run;
  if (queued && isOpenRun(run)) status = done + skipped === total ? "done" : "in_progress";
  return {
    ...run,
    checkpoints,
    status,
    done,
    skipped,
    total,
    progress_percent: total ? Math.round((100 * (done + skipped)) / total) : 100,
    pending: queued,
  };
}

// The user's mutations not yet pulled back, answered or not.
async function myMutations() {
  const { user } = await session();
  return outbox(user.id);
}

export async function localRuns() {
  const [queued, runs, assets] = await Promise.all([myMutations(), all("round_runs"), all("assets")]);
  const idOfTag = assetIdsByTag(assets);
  return runs.map((run) => overlayRun(run, queued, idOfTag));
}

// Runs that touch today (local time), in the order they start.
export function todaysRuns(runs, now = new Date()) {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const end = start + 86_400_000;
  return runs
    .filter((run) => Date.parse(run.scheduled_at) < end && Date.parse(run.due_at) >= start)
    .sort((a, b) => Date.parse(a.scheduled_at) - Date.parse(b.scheduled_at));
}

// One run with the asset and site of each checkpoint, in route order.
export async function localRun(runId) {
  const [queued, stored, assets, sites] = await Promise.all([
    myMutations(),
    get("round_runs", runId),
    all("assets"),
    all("sites"),
  ]);
  if (!stored) return null;
  const run = overlayRun(stored, queued, assetIdsByTag(assets));
  const assetById = new Map(assets.map((asset) => [asset.id, asset]));
  const siteById = new Map(sites.map((site) => [site.id, site]));
  for (const checkpoint of run.checkpoints) {
    checkpoint.asset = assetById.get(checkpoint.asset_id) ?? null;
    checkpoint.site = siteById.get(checkpoint.asset?.site_id) ?? null;
  }
  return run;
}

// The open run, inside its window now, that waits for this asset: a result recorded
// now ticks off its checkpoint.
export function runWaitingFor(assetId, runs, now = Date.now()) {
  return (
    runs
      .filter(
        (run) =>
          isOpenRun(run) &&
          Date.parse(run.scheduled_at) <= now &&
          now < Date.parse(run.due_at) &&
          run.checkpoints.some((c) => c.asset_id === assetId && c.state === "pending"),
      )
      .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at))[0] ?? null
  );
}

function pendingResults(mutations, asset, items) {
  return mutations
    .filter((mutation) => mutation.name === "record_inspection" && tagOf(mutation.args.code) === asset.tag)
    .map((mutation) => {
      const failures = items
        .map((item) => ({ item, failure: failureOf(item, mutation.args.answers[item.key]) }))
        .filter(({ failure }) => failure)
        .map(({ item }) => ({ key: item.key, label: item.label }));
      return {
        id: mutation.args.id,
        asset_id: asset.id,
        run_id: mutation.args.run_id ?? null,
        code: mutation.args.code,
        answers: mutation.args.answers,
        failures,
        passed: failures.length === 0,
        at: mutation.device_time,
        corrective_order_id: null,
        pending: true,
      };
    });
}

// Everything the asset's screen shows, from the phone's copy.
export async function assetView(assetId) {
  const asset = await get("assets", assetId);
  if (!asset) return null;
  const [queued, site, checklists, results, orders, runs] = await Promise.all([
    myMutations(),
    get("sites", asset.site_id),
    all("checklists"),
    all("inspection_results"),
    localOrders(),
    localRuns(),
  ]);
  const checklist = checklists.find((candidate) => candidate.asset_type === asset.asset_type) ?? null;
  const mine = orders.filter((order) => order.asset_id === assetId);
  const history = [
    ...pendingResults(queued, asset, checklist?.items ?? []),
    ...results.filter((result) => result.asset_id === assetId),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return {
    asset,
    site: site ?? null,
    checklist,
    openOrders: mine.filter((order) => isOpen(order.status)),
    finishedOrders: mine
      .filter((order) => !isOpen(order.status))
      .sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at))
      .slice(0, HISTORY),
    results: history.slice(0, HISTORY),
    run: runWaitingFor(assetId, runs),
  };
}
