"""Cleaning: page text or HTML into the article body, captions and removed blocks."""

from .component import Clean, clean_html, clean_text

__all__ = ["Clean", "clean_html", "clean_text"]
