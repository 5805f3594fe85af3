"""exp and tanh of an irrational exact number: SymPy's functions, built and evaluated once.

Through two or more sigmoid or tanh layers an exact value is an exponential whose exponent holds
exponentials. SymPy's ``exp`` and ``tanh`` answer every question asked of such a value (is it 0?
rational? finite? its real part? the digits that order a sum's terms when it is printed) by
evaluating their argument again, and the argument's exponentials theirs: work that doubles with
every layer (a pass through six sigmoid layers of 4 units took 20 s, one through five of 16 more
than 2 minutes). The classes here are the same functions, written and printed the same (their
names are ``exp`` and ``tanh``), used only where the argument is a number that is not rational
(a rational one keeps SymPy's own, which is cheap):

- built without SymPy's automatic simplification, none of which applies to such an argument (a
  sum of such values with rational coefficients; ``exp(0)`` and the like never reach here) but
  tanh's sign taken out, as SymPy writes it (``-tanh(z)`` for ``tanh(-z)``, decided on the form);
- real and finite for a real argument (and an exponential positive), known without evaluating;
- evaluated once per precision: the digits are kept on the node, so a value is evaluated once
  per distinct node it holds, not once per path through it.

Nothing here changes a value: the expressions are exactly those of the closed form, and the
digits are SymPy's own evaluation (``evalf``), at the precision asked for and a few bits more.
"""

import sympy
from mpmath import iv
from mpmath.libmp import mpf_pos, round_nearest
from sympy.core.evalf import evalf_pow

GUARD = 8  # extra bits each memoized evaluation carries, so a later request rounds, never guesses


def _irrational(arg) -> bool:
    return arg.is_number and not arg.is_Rational


class _Memoized:
    """The digits of a node, kept on it: (bits, mpmath value) of its most precise evaluation."""

    def _digits(self, prec: int):
        raise NotImplementedError

    def _eval_evalf(self, prec):
        kept = self.__dict__.get("_kept")
        if kept is None or kept[0] < prec:
            kept = self.__dict__["_kept"] = (prec + GUARD, self._digits(prec + GUARD))
        return sympy.Float._new(mpf_pos(kept[1], prec, round_nearest), prec)

    def as_real_imag(self, deep=True, **hints):
        if self.args[0].is_extended_real:
            return self, sympy.S.Zero
        return super().as_real_imag(deep, **hints)

    def _eval_is_finite(self):
        if self.args[0].is_extended_real:
            return True
        return super()._eval_is_finite()


class exp(_Memoized, sympy.exp):  # noqa: N801 (named as SymPy's: printed and written as exp)
    """``e^z`` of an exact irrational number ``z`` (see the module)."""

    @classmethod
    def eval(cls, arg):
        if not _irrational(arg):
            return sympy.exp.eval(arg)
        return None

    def _digits(self, prec: int):
        # SymPy's own evaluation of e^z (which takes z to the precision its size needs)
        return evalf_pow(sympy.Pow(sympy.E, self.args[0], evaluate=False), prec, {})[0]

    def _eval_power(self, other):
        if other.is_Integer:  # (e^z)^n = e^(n z), as SymPy's exp does, without leaving this class
            return self.func(self.args[0] * other)
        return super()._eval_power(other)

    def _eval_is_rational(self):
        return None  # e^z of an irrational z: not known, and not worth evaluating to ask

    def _eval_is_algebraic(self):
        return None


class tanh(_Memoized, sympy.tanh):  # noqa: N801 (named as SymPy's: printed and written as tanh)
    """``tanh(z)`` of an exact irrational number ``z`` (see the module)."""

    @classmethod
    def eval(cls, arg):
        if not _irrational(arg):
            return sympy.tanh.eval(arg)
        if arg.could_extract_minus_sign():  # tanh is odd: -tanh(-z), as SymPy writes it (no evaluating)
            return -cls(-arg)
        return None

    def _digits(self, prec: int):
        return sympy.tanh._eval_evalf(self, prec)._mpf_


def exponential(z: sympy.Expr) -> sympy.Expr:
    """``e^z`` of an exact ``z``: this module's for an irrational number, SymPy's otherwise."""
    return exp(z) if _irrational(z) else sympy.exp(z)


def hyperbolic_tangent(z: sympy.Expr) -> sympy.Expr:
    """``tanh(z)`` of an exact ``z``: this module's for an irrational number, SymPy's otherwise."""
    return tanh(z) if _irrational(z) else sympy.tanh(z)


def closed(values: tuple, kept: dict | None = None) -> tuple:
    """``values`` with every SymPy ``exp`` of an irrational number made this module's: SymPy's
    own rewriting builds its ``exp`` by name (``fraction`` turns 5/4 * 1/(1 + e^{-z}) into
    5/(4 + 4 e^{-z})), and an exponential left so inside another would be evaluated once per path
    again. The same expressions otherwise, node for node; ``kept`` carries the nodes already seen
    from one call to the next (each distinct node is visited once)."""
    kept = {} if kept is None else kept
    return tuple(_closed(v, kept) for v in values)


def _closed(expr, kept: dict):
    if not isinstance(expr, sympy.Basic) or not expr.args or expr.is_Rational:
        return expr
    done = kept.get(expr)
    if done is not None:
        return done
    args = tuple(_closed(a, kept) for a in expr.args)
    if type(expr) is sympy.exp and _irrational(args[0]):
        done = exp(args[0])
    elif all(new is old for new, old in zip(args, expr.args)):
        done = expr
    elif isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow)):
        done = expr.func(*args, evaluate=False)  # the same structure, with the exponentials changed
    else:
        done = expr.func(*args)
    kept[expr] = done
    return done


def nested(expr) -> bool:
    """Whether ``expr`` holds an exponential or tanh of an irrational number (a value through two
    or more sigmoid or tanh layers), each distinct node looked at once."""
    seen, todo = set(), [expr]
    while todo:
        node = todo.pop()
        if type(node) in (exp, tanh):  # not isinstance: SymPy's exp answers it for every exponential
            return True
        for arg in getattr(node, "args", ()):
            if arg.args and id(arg) not in seen:
                seen.add(id(arg))
                todo.append(arg)
    return False


PRECISIONS = (64, 256, 1024, 4096)  # bits of the bounds enclosed_sign tries, one after another


def enclosed_sign(expr) -> int | None:
    """The sign of an exact number, decided by interval arithmetic (mpmath's ``iv``: bounds that
    hold the exact value, rounded outward) at 64 bits, then more (:data:`PRECISIONS`): 1 or -1,
    or None when the number holds a function not known here. Each distinct node is enclosed once
    per precision (kept), so the sums of one layer after another share the work of their common
    values: a ReLU layer of 16 units after a sigmoid layer decides its signs in a tenth of the
    time SymPy's evaluation takes. A number whose bounds at 4096 bits still hold 0 raises
    :class:`Undecided`: it is within 2^-4000 of 0 (sums whose leading terms cancel exactly, leaving
    e^(-10^8)), where SymPy's evaluation would raise its precision without end."""
    for prec in PRECISIONS:
        saved, iv.prec = iv.prec, prec
        try:
            interval = _enclosure(expr, _ENCLOSURES.setdefault(prec, {}))
        except _Unknown:
            return None
        finally:
            iv.prec = saved
        if interval.a > 0:
            return 1
        if interval.b < 0:
            return -1
    raise Undecided(expr)


class Undecided(ValueError):
    """An exact number within 2^-4000 of 0 whose sign :func:`enclosed_sign` cannot decide."""


class _Unknown(Exception):
    """A node :func:`enclosed_sign` cannot enclose (SymPy's own evaluation decides instead)."""


_ENCLOSURES: dict[int, dict] = {}  # bits -> {node: interval}, cleared when large
_KEPT = 200_000


def _enclosure(expr, kept: dict):
    found = kept.get(expr)
    if found is not None:
        return found
    if len(kept) > _KEPT:
        kept.clear()
    if expr.is_Rational:
        found = iv.mpf(expr.p) / expr.q
    elif expr is sympy.E:  # e^1, as SymPy writes sigmoid(-1)
        found = iv.exp(1)
    elif expr.is_Add:
        found = sum((_enclosure(arg, kept) for arg in expr.args[1:]), _enclosure(expr.args[0], kept))
    elif expr.is_Mul:
        found = _enclosure(expr.args[0], kept)
        for arg in expr.args[1:]:
            found = found * _enclosure(arg, kept)
    elif expr.is_Pow and expr.base is sympy.E:
        found = iv.exp(_enclosure(expr.exp, kept))
    elif expr.is_Pow and expr.exp.is_Integer:
        found = _enclosure(expr.base, kept) ** int(expr.exp)
    elif sympy.exp in type(expr).__mro__:
        found = iv.exp(_enclosure(expr.args[0], kept))
    elif sympy.tanh in type(expr).__mro__:  # 1 - 2 / (e^{2z} + 1): z once, so the bounds are tight
        found = 1 - 2 / (iv.exp(2 * _enclosure(expr.args[0], kept)) + 1)
    else:
        raise _Unknown
    kept[expr] = found
    return found
