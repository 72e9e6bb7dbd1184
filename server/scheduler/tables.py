from piccolo.columns import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Job(Table):
    """Something to do at a time: a timer that fires once, or a task to retry until
    it succeeds. A job runs in the transaction that claims it and marks it done, so
    its database effects commit exactly once; a crash leaves it pending."""

    id = UUID(primary_key=True)
    kind = Varchar(length=64)
    # Scheduling the same key twice schedules it once (an SLA timer, a plan's
    # occurrence): callers name what the job is for, not when it was asked for.
    key = Varchar(length=200, unique=True)
    payload = JSON(default="{}")
    due_at = Timestamptz()
    state = Varchar(length=8, default="pending")
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
