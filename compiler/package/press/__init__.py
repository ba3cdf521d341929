"""Package stage (press work): a laid-out PDF made ready for a printer — PDF/X-4, press colour,
booklet and sewn-signature imposition, the page-quality check — and the wrap cover that goes round
the printed book."""
