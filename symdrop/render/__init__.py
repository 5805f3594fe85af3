"""Rendering: options, the Jinja environment, the printer, escaping, pictures, the format registry."""
