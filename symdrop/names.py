"""The names the command line offers (passes, symbolic modes, exercise kinds), free of SymPy so `--help` stays fast."""

MODES = ("train", "test")  # the passes a user asks for (symdrop/model/conventions.py)
SYMBOLIC_MODES = ("all", "masks")  # what --symbolic makes a symbol (symdrop/core/derive.py)
# The exercise kinds, in the registry's order (symdrop/exercises/kinds.py, which refuses to load
# when its kinds are not these): the help of `sheet --kinds` lists them without loading a kind.
KINDS = ("forward", "inverted", "test-time", "ensemble", "backprop", "variance", "dropconnect", "penalty", "noise", "nwgm")
OPTIONS = ("variance:alone", "penalty:minimiser", "dropconnect:forward")  # kinds with an option (KIND:OPTION)
