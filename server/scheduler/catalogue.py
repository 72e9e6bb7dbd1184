"""Every kind of job the scheduler runs: each feature that needs one adds it here."""

from geo.auto_assign_job import AUTO_ASSIGN
from geo.positions import FORGET_POSITIONS
from inspection.rounds import ROUND_SWEEP
from server.integrations.sweep import INTEGRATIONS_SWEEP
from server.maintenance.sweep import MAINTENANCE_SWEEP, WARRANTY_WARNING
from server.notifications.reports import REPORT_EMAILS
from server.plans.occurrences import PLAN_OCCURRENCE
from server.scheduler.kinds import JobKinds
from server.sla.timers import SLA_TIMER

JOB_KINDS = JobKinds(
    [
        SLA_TIMER,
        PLAN_OCCURRENCE,
        MAINTENANCE_SWEEP,
        WARRANTY_WARNING,
        FORGET_POSITIONS,
        AUTO_ASSIGN,
        ROUND_SWEEP,
        REPORT_EMAILS,
        INTEGRATIONS_SWEEP,
    ]
)
