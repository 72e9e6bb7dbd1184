"""The server itself as an actor: timers, escalations and other automatic changes.

Its timeline events name no user (``actor_id`` null) and carry the name "System".
"""

from uuid import UUID

from server.accounts.actor import Actor

SYSTEM_ID = UUID(int=0)
SYSTEM = Actor(
    user_id=SYSTEM_ID,
    session_id=SYSTEM_ID,
    username="system",
    display_name="System",
    role="admin",
    department_id=None,
    team_id=None,
    language="en",
)
