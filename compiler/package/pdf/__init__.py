"""Package stage (PDF): the rendered documents laid out by weasyprint, in chunks or in one pass."""
