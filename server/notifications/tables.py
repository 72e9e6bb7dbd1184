from piccolo.columns import JSON, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.workorders.tables import WorkOrder


class Notification(Table):
    """Something a user should know, kept in the app whatever else delivers it.
    Stored without words: its text is made in the reader's language when read."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=32)
    order = ForeignKey(WorkOrder, null=True, index=True, on_delete=OnDelete.cascade)
    # What the text needs: the order's number and title, counts, reasons.
    params = JSON(default="{}")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
