"""Exercises: the registry of kinds, problem generation, sheets and class sets, rosters."""
