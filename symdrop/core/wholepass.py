"""A pass's output a^(L) in integers over one common denominator: the fast path of a mistake's
answer (``core.forward.prediction``), checked against the whole pass in tests/test_fast_paths.py.

A pass of Python numbers (int and Fraction) makes a Fraction, and reduces it, for every product
and sum once an input is scaled by 1/q: most of an inverted-dropout pass's time. Here each
layer's values are integers N_j over one denominator D (a_j = N_j / D): a mask, 1/q and q
multiply N_j (and D by their denominator), W's integer weights and the bias sum in integers,
ReLU keeps N_j > 0 (D > 0), and only a^(L) is made Fractions again, each reduced as the whole
pass reduces it. The same numbers exactly, and the same types (an int where whole, as
``core.passnumbers.whole`` leaves it; the output's mask multiplied as the whole pass multiplies it).
None where it does not apply: a weight that is not an int, DropConnect, an activation other
than ReLU and the identity, a mask that is not 0 and 1, anything but Python's numbers.
"""

from fractions import Fraction
from math import gcd, lcm
from operator import mul

from .passnumbers import NetworkNumbers

_LARGE = 1 << 62  # a denominator past this is reduced (deep networks; most passes never reach it)


def integer_output(values: NetworkNumbers, rules: tuple, functions: tuple, masks: tuple, a: tuple, start: int,
                   scale_bias: bool = False) -> tuple | None:
    """a^(L) of the pass (``rules`` and ``functions`` each layer's, ``masks`` the pass's, an
    L+1-th on the output) from layer ``start``, whose input is ``a``; None where it does not apply."""
    if not values.python or not _PYTHON.issuperset(map(type, a)):
        return None
    D = lcm(*[v.denominator for v in a])
    N = [v.numerator * (D // v.denominator) for v in a] if D > 1 else [v.numerator for v in a]
    layers = values.integer_layers
    for l in range(start, len(layers) + 1):
        rule, g = rules[l - 1], functions[l - 1]
        W, bias, inverse, kept = layers[l - 1]
        slope = getattr(g, "slope", None)  # ReLU's 0, the identity's 1 (model.activations.piecewise)
        if W is None or rule.weights_masked or slope is None:
            return None
        if rule.masked:
            mask = masks[l - 1]
            if not _INT.issuperset(map(type, mask)):
                return None
            N = list(map(mul, N, mask))
        # 1/q (inverted dropout) or q (weight scaling): each input times its own
        if rule.input_scale is not None:
            if inverse is None:
                return None
            N, D = _scaled(N, D, inverse)
        if rule.weight_scale is not None:
            if kept is None:
                return None
            N, D = _scaled(N, D, kept)
        if scale_bias and bias is not None:
            bias = _scaled_bias(values, rule, l, bias)
        if bias is None:
            return None
        numerators, under = bias
        if D % under:
            times = under // gcd(D, under)
            N, D = [n * times for n in N], D * times
        times = D // under
        Z = [sum(map(mul, row, N), nb * times) for row, nb in zip(W, numerators)]
        N = [z if z > 0 else 0 for z in Z] if slope == 0 else Z
        if D > _LARGE:
            common = gcd(D, *N)
            N, D = [n // common for n in N], D // common
    out = tuple(N) if D == 1 else tuple([n // D if n % D == 0 else Fraction(n, D) for n in N])
    if len(masks) > len(layers):  # a mask on the output, as the whole pass multiplies it
        out = tuple([m * v for m, v in zip(masks[-1], out)])
    return out


_PYTHON, _INT = frozenset({int, Fraction}), frozenset({int})  # the types of a pass of Python numbers; of a mask


def _scaled(N: list, D: int, form: tuple) -> tuple[list, int]:
    """The values N / D times a scale (integers over a denominator: one, or one per value)."""
    numerators, under = form
    return (list(map(mul, N, numerators)) if type(numerators) is tuple else [n * numerators for n in N]), D * under


def _scaled_bias(values: NetworkNumbers, rule, l: int, bias: tuple) -> tuple | None:
    """Layer l's bias (``bias``, integers over a denominator) as a mistake scales it (``forward``'s
    ``scale_bias``: b/q where inputs are divided by q, q b where weights are scaled by it; a q per
    unit scales no bias), still integers over a denominator (not reduced: the same values)."""
    q = None if values.keep is None else values.keep[l - 1]
    if isinstance(q, tuple) or (rule.input_scale is None and rule.weight_scale is None):
        return bias
    if type(q) is not int and type(q) is not Fraction:
        return None
    (numerators, under), up, down = bias, q.numerator, q.denominator
    if rule.input_scale is not None:  # b / q
        up, down = down, up
    return tuple(n * up for n in numerators), under * down
