"""FieldOps: an offline-capable work-order system for field service."""
