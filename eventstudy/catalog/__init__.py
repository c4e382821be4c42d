"""The deal-announcement catalog: YAML files -> validated events."""

from .loader import CatalogEntry, Problem, load_catalog
from .schema import Claim, DealType, Event, Party, Role, Timing

__all__ = ["CatalogEntry", "Claim", "DealType", "Event", "Party", "Problem", "Role", "Timing", "load_catalog"]
