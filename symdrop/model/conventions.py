"""Dropout conventions and keep probabilities: what a mask does in training and at test time."""

from dataclasses import dataclass

import sympy

from ..errors import SpecError, describe
from ..names import MODES  # the passes a user asks for
from ..sympy_internals import rational_matrix

PASSES = MODES + ("off",)  # and the pass without dropout, every mask all ones and no scaling
# What a mask drops: units (a mask per layer's input, Srivastava et al. 2014), or connections
# (DropConnect, Wan et al. 2013: a mask on every weight, the shape of W).
UNITS, DROPCONNECT = "units", "dropconnect"
SCHEMES = (UNITS, DROPCONNECT)


@dataclass(frozen=True)
class Rule:
    """How layer l treats its input a^(l-1) in one pass: ``z = s_W W (s_a mu . a) + b``, or with
    DropConnect ``z = (s_W M . W) a + b``.

    A scale is one number, or (a keep probability per unit or per weight) a matrix: s_a a column
    (one per unit of a^(l-1)), s_W a row (one per column of W) or, with DropConnect, W's shape.
    """

    masked: bool  # the mask mu^(l-1) multiplies the input
    input_scale: sympy.Expr | None  # s_a = 1/q (inverted training); None: no scaling
    weight_scale: sympy.Expr | None  # s_W = q (weight scaling at test time), 1/q (inverted DropConnect)
    weights_masked: bool = False  # DropConnect in training: the mask M^(l) multiplies W


@dataclass(frozen=True, eq=False)
class Convention:
    """What a dropout convention does with a kept unit's value in training and at test time; code
    outside the model asks these, never the name (which is what a spec writes).

    It equals its name too (``INVERTED == "inverted"``), for users' code and template copies that
    compared the name before conventions said what they do; symdrop's own code does not
    (``tests/test_conventions.py`` looks for such comparisons).
    """

    name: str  # as a spec writes it, and as str() gives it
    divides: bool  # training divides each kept value by its q (inverted dropout, PyTorch's)
    scales_weights: bool  # the test-time pass multiplies W by the q of its input (weight scaling)

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        if isinstance(other, (Convention, str)):
            return self.name == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def has_test_pass(self) -> bool:
        """Whether the convention defines a test-time pass of its own (plain masks borrow weight
        scaling's: see :attr:`approximation`)."""
        return self.divides or self.scales_weights

    @property
    def approximation(self) -> "Convention":
        """The convention whose test-time pass this one uses, and which approximates the ensemble
        mean: its own, or for plain masks weight scaling (no masks, q W), as the tutorial,
        Srivastava et al. 2014 and CS231n test a network trained with plain masks."""
        return self if self.has_test_pass else WEIGHT_SCALING


PLAIN = Convention("plain", divides=False, scales_weights=False)
INVERTED = Convention("inverted", divides=True, scales_weights=False)
WEIGHT_SCALING = Convention("weight-scaling", divides=False, scales_weights=True)
CONVENTIONS = {c.name: c for c in (PLAIN, INVERTED, WEIGHT_SCALING)}


def convention(name) -> Convention:
    """The convention a spec names (``"inverted"``)."""
    if not isinstance(name, str) or name not in CONVENTIONS:
        raise SpecError("dropout.convention", f"expected one of {', '.join(CONVENTIONS)}, got {describe(name)}")
    return CONVENTIONS[name]


@dataclass(frozen=True)
class Dropout:
    """The convention, what the masks drop, and the keep probability q of every mask: of
    mu^(0) .. mu^(L-1) (units), or of M^(1) .. M^(L) (DropConnect: masks[l - 1] belongs to W^(l)).

    ``keep`` is None when a plain-mask spec gives no probabilities; the other conventions need
    them. Each entry is one q for the whole mask, or a matrix of q's: a column with one per unit,
    or (DropConnect) one per weight, the shape of W. PyTorch's ``p`` is the drop probability ``1 - q``.
    """

    convention: Convention = PLAIN
    keep: tuple[sympy.Expr | sympy.ImmutableMatrix, ...] | None = None
    scheme: str = UNITS  # one of SCHEMES
    # alpha dropout's alpha' (the value a dropped input takes), for the statistics' noise models;
    # None: PyTorch's and Keras's -1.7580993408473766
    alpha: sympy.Rational | None = None

    def __post_init__(self):
        if isinstance(self.convention, str):  # the API's Dropout("inverted", keep), as a spec writes it
            object.__setattr__(self, "convention", convention(self.convention))

    def __hash__(self) -> int:
        # Memoized, as Network's: a dropout keys the core's memos (layer_rules), asked every pass.
        if "_hash" not in self.__dict__:
            object.__setattr__(self, "_hash", hash((self.convention, self.keep, self.scheme, self.alpha)))
        return self.__dict__["_hash"]

    @property
    def connections(self) -> bool:
        """Whether the masks drop weights (DropConnect) rather than units."""
        return self.scheme == DROPCONNECT

    @property
    def per_unit(self) -> bool:
        """Whether some mask has a keep probability per unit (or per weight) rather than one."""
        return self.keep is not None and any(isinstance(q, sympy.MatrixBase) for q in self.keep)

    @property
    def drop(self) -> tuple[sympy.Expr, ...] | None:
        """PyTorch's ``p`` for every mask: the drop probability ``1 - q`` (made once: each is
        SymPy's arithmetic, and a problem's question and solution ask in every format)."""
        if "_drop" not in self.__dict__:
            drop = None if self.keep is None else tuple(_map(q, lambda v: 1 - v) for q in self.keep)
            object.__setattr__(self, "_drop", drop)
        return self.__dict__["_drop"]

    def keep_of(self, l: int, shape: tuple[int, int]) -> sympy.ImmutableMatrix:
        """The q of every entry of mask ``l`` (of the given shape), one q repeated where one is given."""
        q = self.keep[l]
        if isinstance(q, sympy.MatrixBase):
            return q
        if isinstance(q, sympy.Rational):  # the same matrix, built directly (and memoized)
            return rational_matrix(*shape, (q,) * (shape[0] * shape[1]))
        return sympy.ImmutableMatrix(*shape, lambda i, j: q)

    def require_keep(self, purpose: str) -> tuple[sympy.Expr, ...]:
        if self.keep is None:
            raise SpecError("dropout.keep", f"missing (required {purpose})")
        return self.keep

    def maskable(self, l: int) -> bool:
        """Whether mask mu^(l) can drop anything (q < 1); True when q is unknown or a symbol."""
        if self.keep is None:
            return True
        q = self.keep[l]
        values = q if isinstance(q, sympy.MatrixBase) else (q,)
        return not all(v.is_number and v == 1 for v in values)

    def rule(self, l: int, mode: str) -> Rule:
        """The rule for the mask mu^(l-1) on the input of layer ``l`` in ``mode`` (one of PASSES)."""
        if mode not in PASSES:
            raise ValueError(f"mode must be one of {PASSES}, not {mode!r}")
        if mode == "off":
            return Rule(masked=False, input_scale=None, weight_scale=None)
        if mode == "test":
            self.check_test_time()
        q = None if self.keep is None else self.keep[l - 1]
        scaled = q is not None and self.maskable(l - 1)
        inverse = _map(q, lambda v: 1 / v) if scaled and self.convention.divides else None
        # plain masks are tested as weight scaling (the tutorial, Srivastava et al. 2014, CS231n)
        weights = q if scaled and self.convention.approximation.scales_weights else None
        if self.connections:
            if mode == "train":
                return Rule(masked=False, input_scale=None, weight_scale=inverse, weights_masked=True)
            return Rule(masked=False, input_scale=None, weight_scale=weights)
        if mode == "train":
            return Rule(masked=True, input_scale=inverse, weight_scale=None)
        if isinstance(weights, sympy.MatrixBase):  # one q per input unit: a row, one per column of W
            weights = weights.T
        return Rule(masked=False, input_scale=None, weight_scale=weights)

    def check_test_time(self) -> None:
        """The test-time pass needs the keep probabilities: q W for weight scaling and for plain
        masks (whose test-time rule is weight scaling), none for inverted dropout but its spec has them."""
        purpose = ("for the test-time pass of plain masks, which scales each W by its input's q (weight scaling)"
                   if not self.convention.has_test_pass else f"for the {self.convention.name} convention")
        self.require_keep(purpose)


# One object for equal dropouts read from specs (a class's problems share a few), at most this
# many kept: the core's memos then find a problem's by identity rather than field by field.
_INTERNED: dict = {}
INTERNED = 256


def interned(dropout: Dropout) -> Dropout:
    """The one object equal to ``dropout`` read before (or ``dropout`` itself): the same values."""
    if len(_INTERNED) < INTERNED:
        return _INTERNED.setdefault(dropout, dropout)
    return _INTERNED.get(dropout, dropout)


def _map(q, f):
    """``f`` of one q, or of every q of a matrix of them."""
    return q.applyfunc(f) if isinstance(q, sympy.MatrixBase) else f(q)
