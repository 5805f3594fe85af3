"""Lint a QTI 2.1 package (qti21.zip): each item's response processing run as a QTI 2.1
delivery engine runs it, on the key's numbers and on each known mistake's."""

from fractions import Fraction
from functools import partial

from .registry import Result, duplicates
from .simulate import Unsupported, package_item_results, package_resources

Q = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
EXPORT = "qti21.zip"


def lint_qti21(path, key, share) -> list[Result]:
    items = package_resources(path, EXPORT)
    if isinstance(items, Result):
        return [items]
    results, asked = [], {}
    for item in items:
        name = item.get("identifier", "?")
        problem = key.get(name.rsplit("_", 1)[-1])
        if problem is None:
            results.append(Result(EXPORT, name, "key", "no problem of key.json has its code"))
            continue
        responses = [d.get("identifier") for d in item.findall(Q + "responseDeclaration")]
        # The same variant: the same text but its code, and the same numbers (two problems may ask the same one number).
        text = "".join(t for b in item.findall(Q + "itemBody") for t in b.itertext()).replace(problem.code, "")
        asked[name] = (text, tuple(d.findtext(f"{Q}correctResponse/{Q}value") for d in item.findall(Q + "responseDeclaration")))
        results += package_item_results(EXPORT, name, problem, responses, share, partial(run, item))
    return results + duplicates(EXPORT, asked)


def run(item, given: dict) -> tuple[Fraction, Fraction, list[str]]:
    """(SCORE, MAXSCORE, the text of each modal feedback shown) for the responses ``given``
    (None: not answered)."""
    outcomes = {"SCORE": Fraction(0), "FEEDBACK": []}
    for d in item.findall(Q + "outcomeDeclaration"):
        value = d.findtext(f"{Q}defaultValue/{Q}value")
        if value is not None:
            outcomes[d.get("identifier")] = Fraction(value)
    for rule in item.find(Q + "responseProcessing") or ():
        _rule(rule, given, outcomes)
    shown = ["".join(f.itertext()) for f in item.iter(Q + "modalFeedback")
             if (f.get("identifier") in outcomes["FEEDBACK"]) == (f.get("showHide") == "show")]
    return outcomes["SCORE"], outcomes.get("MAXSCORE", Fraction(0)), shown


def _rule(rule, given, outcomes) -> None:
    tag = rule.tag.removeprefix(Q)
    if tag == "setOutcomeValue":
        outcomes[rule.get("identifier")] = _value(rule[0], given, outcomes)
    elif tag == "responseCondition":
        for branch in rule:
            test = branch.tag.removeprefix(Q) == "responseElse" or _value(branch[0], given, outcomes)
            if test:
                for inner in (branch if branch.tag.removeprefix(Q) == "responseElse" else branch[1:]):
                    _rule(inner, given, outcomes)
                break
    else:
        raise Unsupported(tag)


def _value(e, given, outcomes):
    tag = e.tag.removeprefix(Q)
    if tag == "variable":
        name = e.get("identifier")
        return given[name] if name in given else outcomes.get(name)
    if tag == "baseValue":
        return e.text.strip() if e.get("baseType") == "identifier" else Fraction(e.text.strip())
    if tag == "sum":
        values = [_value(x, given, outcomes) for x in e]
        return None if None in values else sum(values)
    if tag == "multiple":
        out = []
        for x in e:
            v = _value(x, given, outcomes)
            out += v if isinstance(v, list) else [] if v is None else [v]
        return out
    if tag == "equal":
        a, b = (_value(x, given, outcomes) for x in e)
        if a is None or b is None:
            return False
        mode, tolerance = e.get("toleranceMode", "exact"), [Fraction(t) for t in e.get("tolerance", "0").split()]
        low, high = tolerance[0], tolerance[-1]
        if mode == "exact":
            return a == b
        if mode == "relative":
            low, high = abs(b) * low / 100, abs(b) * high / 100
        return b - low <= a <= b + high
    raise Unsupported(tag)
