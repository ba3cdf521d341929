"""anthology: turns a folder of stories into an anthology, as an EPUB 3 and a print PDF."""

__version__ = "0.1.0"
