"""Server-rendered pages: light HTML, one small stylesheet, htmx only where it pays (serial checks)."""
