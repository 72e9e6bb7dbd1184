"""The auto-assign job: give a waiting order to the best on-duty candidate
(geo/dispatch.py), or tell the department's dispatchers that nobody could take it.

It reads the order again when it runs and does nothing if the order was assigned,
moved on, or no longer calls for it (priority lowered, mode switched off).
"""

from __future__ import annotations

from geo.auto_assign import KIND, AutoAssignJob, priorities
from geo.dispatch import suggest
from server.accounts.system import SYSTEM
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.scheduler.kinds import JobContext, JobKind
from server.workorders.lifecycle import OPEN
from server.workorders.operations import OrderOperations
from server.workorders.queries import fetch_order
from server.workorders.schemas import AssignRequest
from server.workorders.unit import OrderUnit


async def run(context: JobContext, jobs: list[AutoAssignJob]) -> None:
    unit = OrderUnit(SYSTEM, context.clock)
    await unit.load(job.order_id for job in jobs)
    operations = OrderOperations(unit)
    recipients = Recipients(context.settings.control_centre_team)
    for job in dict.fromkeys(jobs):
        if not await unit.exists(job.order_id):
            continue
        order = await unit.order(job.order_id)
        if order["assignee"] is not None or order["status"] not in OPEN - {"suspended"}:
            continue
        modes = await priorities({order["department"]})
        if order["priority"] not in modes.get(order["department"], ()):
            continue
        candidates = await suggest(await fetch_order(SYSTEM, job.order_id), 10)
        best = next((c for c in candidates if c.on_duty), None)
        if best is None:
            notify(unit, await recipients.dispatchers(order), "auto_assign_failed", order)
            continue
        reason = f"auto-assigned ({order['priority']}): score {best.score}; " + "; ".join(
            best.reasons
        )
        await operations.assign(
            job.order_id, AssignRequest(assignee_id=best.user_id, reason=reason)
        )
    await unit.flush()


AUTO_ASSIGN = JobKind(name=KIND, payload=AutoAssignJob, run=run)
