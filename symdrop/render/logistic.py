"""SymPy's forms of sigmoids as the printer finds them: 1/(c + c e^{-u}) is sigma(u)/c, and a sum
of rational multiples of them (an ensemble's mean over masks) is written in the order of u."""

import sympy


def logistic(expr):
    """``(c, u)`` when ``expr`` is SymPy's form of a scaled sigmoid, 1/(c + c e^{-u}) = sigma(u)/c
    with a rational c > 0; else None."""
    if not (expr.is_Pow and expr.exp == -1 and expr.base.is_Add and len(expr.base.args) == 2):
        return None
    for c, other in (expr.base.args, expr.base.args[::-1]):
        if c.is_Rational and c.is_positive:
            k, e = other.as_coeff_Mul()
            if k == c and isinstance(e, sympy.exp):
                return c, -e.args[0]
            if k == c and e is sympy.E:  # SymPy's e^1: 1/(1 + e) = sigma(-1)
                return c, sympy.S.NegativeOne
    return None


def by_sigmoid_argument(terms) -> list | None:
    """``terms`` of a sum of rational multiples of sigmoids of rationals (and a rational) in the
    order of the sigmoids' arguments, the rational last: 3/64 sigma(-2) + 9/64 sigma(-1) + 15/32
    sigma(1) + 5/64 (SymPy's own order puts sigma(2) before sigma(1), and a rational first); None
    for any other sum."""
    keyed = []
    for term in terms:
        if term.is_Rational:
            keyed.append(((1, 0), term))
            continue
        forms = [logistic(f) for f in (term.args if term.is_Mul else (term,))]
        others = [f for f, form in zip(term.args if term.is_Mul else (term,), forms) if not form]
        found = [form for form in forms if form]
        if len(found) != 1 or not found[0][1].is_Rational or not all(f.is_Rational for f in others):
            return None
        keyed.append(((0, found[0][1]), term))
    if not any(key[0] == 0 for key, _ in keyed):
        return None
    return [term for _, term in sorted(keyed, key=lambda pair: pair[0])]
