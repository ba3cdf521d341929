"""Package stage (EPUB): the EPUB 3, the formats made from it (KEPUB, AZW3), its cover image and page list."""
