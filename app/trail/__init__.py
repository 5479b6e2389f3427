"""The approval trail: write events (record) and check the chain (verify)."""
from app.trail.service import TrailProblem, record, verify  # noqa: F401
