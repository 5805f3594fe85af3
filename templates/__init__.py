"""The Jinja2 templates, shipped inside the wheel as the package symdrop.templates."""
