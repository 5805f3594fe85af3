"""Input and output: atomic writes, TeX runs, progress."""
