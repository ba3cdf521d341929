"""Package stage (PDF, for the press): sewn signatures imposed on sheets, and a page-quality check."""
