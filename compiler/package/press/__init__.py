"""Package stage (press work): a laid-out PDF made ready for a printer — PDF/X-4, press colour,
booklet imposition — and the wrap cover that goes round the printed book."""
