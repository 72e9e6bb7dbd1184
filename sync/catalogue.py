"""Every mutation the server accepts: each feature that works offline adds its list."""

from geo import mutations as geo_mutations
from inspection import mutations as inspection_mutations
from server.costs import mutations as cost_mutations
from sync import order_mutations
from sync.registry import Registry

REGISTRY = Registry(
    [
        *order_mutations.MUTATIONS,
        *geo_mutations.MUTATIONS,
        *inspection_mutations.MUTATIONS,
        *cost_mutations.MUTATIONS,
    ]
)
