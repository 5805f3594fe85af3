"""What every linter checks of one item, given how its target scores an answer: the key scores
full marks; each known mistake shows its feedback and scores the rubric's mistake share of what it
gets wrong."""

from fractions import Fraction

from .registry import Result

CLOSE = Fraction(1, 10**6)  # scores as a target adds them up, in decimals


def mistake_results(export: str, item: str, problem, share: Fraction, score) -> list[Result]:
    """The results of ``item`` (of ``problem``, key.json's) where ``score(values)`` is (score,
    maximum, feedback texts shown) of an answer ``values`` (None: a number not given)."""
    got, full, _ = score(problem.answer)
    results = [Result(export, item, "key", "" if full > 0 and abs(got - full) < CLOSE else f"the key scores {got} of {full}")]
    # Each number's points: what the key scores less without it.
    points = [got - score(tuple(None if k == i else v for k, v in enumerate(problem.answer)))[0]
              for i in range(len(problem.answer))]
    for ident, label, values in problem.mistakes:
        wrong = [k for k, (v, a) in enumerate(zip(values, problem.answer)) if v != a]
        if not wrong:
            continue
        got_m, _, shown = score(values)
        expected = full - sum(points[k] * (1 - share) for k in wrong)
        failure = []
        if abs(got_m - expected) >= CLOSE:
            failure.append(f"scores {float(got_m):g} of {float(full):g}, expected {float(expected):g}")
        if not any(label in text for text in shown):
            failure.append("no feedback names it")
        results.append(Result(export, item, f"mistake {ident}", "; ".join(failure)))
    return results
