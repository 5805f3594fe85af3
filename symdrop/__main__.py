"""``python -m symdrop``: the command line."""

from .launch import console

console()
