"""Package stage: the rendered documents made into books, one folder per trade.

- `epub/`: the EPUB 3 and what is made from it (KEPUB for Kobo, AZW3 for Kindle), its cover image
  and the print edition's page list;
- `pdf/`: weasyprint's layout of the print and screen PDF (typesetter, chunks, cache, page set-up);
- `press/`: work for the printer on a laid-out PDF (PDF/X-4, press colour, booklet imposition, the
  wrap cover, ICC profiles).
"""
