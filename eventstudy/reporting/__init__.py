"""Results for readers: publication tables (Markdown, LaTeX, HTML, CSV), path plots (PNG, SVG), report folders."""

from .export import write_claims, write_study
from .plots import caar_band, plot_caar, plot_event_cars, plot_results
from .tables import PublicationTable, publication_table, publication_tables

__all__ = [
    "PublicationTable", "caar_band", "plot_caar", "plot_event_cars", "plot_results", "publication_table",
    "publication_tables", "write_claims", "write_study",
]
