"""The order a value's sum is written in, as one reads it: its number last (tanh(1) - 1), and a
term that is not negative first (2 - sigma(-2), not -sigma(-2) + 2). A formula with symbols keeps
its first term (the printer says which sums are values)."""


def value_order(terms: list, number_last: bool = True, positive: bool = True) -> list:
    """``terms`` of a sum (in SymPy's order) as it is written: the number last unless
    ``number_last`` is false (a sum of exponentials, a sigmoid's 1 + e^{-z}, keeps its 1 first),
    then, with ``positive``, :func:`positive_first`."""
    if number_last:
        terms = [t for t in terms if not t.is_Rational] + [t for t in terms if t.is_Rational]
    return positive_first(terms) if positive else terms


def positive_first(terms: list) -> list:
    """``terms`` with the first that is not negative moved to the front, where the first is
    negative: 3 tanh(2) - tanh(3) + 1, not -tanh(3) + 3 tanh(2) + 1 (all negative: as they are)."""
    if not terms[0].could_extract_minus_sign():
        return terms
    k = next((k for k, t in enumerate(terms) if not t.could_extract_minus_sign()), None)
    return terms if k is None else [terms[k], *terms[:k], *terms[k + 1:]]
