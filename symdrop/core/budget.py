"""The size of a pass's exact values, counted as they grow: the work of sigmoid and tanh in sigmoid and tanh.

A value through a sigmoid or tanh layer is a closed form in the values before it; through two or
more such layers, exponentials in exponents, and its size (what JSON writes, what a document
prints or measures) is multiplied by the width of every such layer it passes through: six sigmoid
layers of 4 units make some 3,800 nodes a value, five layers of 16 about 2 million, fifteen tanh
layers of 16 more than could ever be written. A pass counts the nodes of its values layer by layer
(each distinct node once, so counting costs little) and stops, in one line naming the limit, as
soon as they pass :data:`~symdrop.limits.MAX_CLOSED_FORM`: the layers after, the backward pass
and the documents would all grow with it.
"""

import sympy

from ..errors import BeyondExact
from .. import limits


def written_size(expr, sizes: dict) -> int:
    """The nodes of ``expr`` written out in full (SymPy's tree, every repeated part as often as it
    appears: ``len(list(sympy.preorder_traversal(expr)))``), counted on the shared nodes once
    each; ``sizes`` keeps the counts of the nodes seen (pass one dict for a whole pass)."""
    if not isinstance(expr, sympy.Basic):
        return 1  # an int or Fraction: one number
    if not expr.args:
        return 1
    todo = [expr]
    while todo:
        node = todo[-1]
        if node in sizes:
            todo.pop()
            continue
        missing = [arg for arg in node.args if arg.args and arg not in sizes]
        if missing:
            todo.extend(missing)
            continue
        sizes[node] = 1 + sum(sizes[arg] if arg.args else 1 for arg in node.args)
        todo.pop()
    return sizes[expr]


class Budget:
    """The nodes a pass has written so far (see the module); :meth:`count` refuses past the limit
    (:data:`~symdrop.limits.MAX_CLOSED_FORM`, or ``limit``: the name of another in limits.py)."""

    def __init__(self, what: str = "the forward pass", limit: str = "MAX_CLOSED_FORM"):
        self.what, self.total, self.sizes, self.limit = what, 0, {}, limit

    def count(self, values, where: str) -> None:
        """Add the written size of ``values`` (exact numbers, or rows of them); refuse, naming
        ``where`` (``layers[3]``), once the pass is past :data:`~symdrop.limits.MAX_CLOSED_FORM`."""
        for value in values:
            for entry in value if isinstance(value, tuple) else (value,):
                if isinstance(entry, sympy.Basic) and not entry.is_Rational:  # a fraction costs nothing to write
                    self.total += written_size(entry, self.sizes)
        limit = getattr(limits, self.limit)  # read when counting: a test may set it
        if self.total > limit:
            raise BeyondExact(
                f"{where}: the exact values of {self.what} would be written out with more than {limit:,} parts "
                f"({self.total:,} up to here: sigmoid or tanh of values through sigmoid or tanh, exponentials in "
                f"exponents); {LIMITS[self.limit]} is {limit:,} parts")


# What each limit bounds, as its refusal names it.
LIMITS = {"MAX_CLOSED_FORM": "the limit on a pass's exact values",
          "MAX_STEP_CLOSED_FORM": "the limit on a step's new weights and the pass after it",
          "MAX_MEAN_CLOSED_FORM": "the limit on that pass for expect and moments (they carry it for every mask)"}
