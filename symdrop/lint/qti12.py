"""Lint a QTI 1.2 package (qti.zip): each item's ``resprocessing`` run as Canvas Classic Quizzes
runs it, from the file: the ``respcondition``s in order, each whose ``conditionvar`` holds
(``varequal``, ``vargte``, ``varlte`` on a number's response, ``and``, ``or``, ``not``,
``other``) sets or adds to its variable and shows its feedback; ``continue="No"`` ends there.

Canvas takes every scoring condition of a numerical item for a right answer, so the export has
none for a mistake: a mistake's number scores 0 (whatever the rubric says) and the feedback
that names it is the item's general feedback, which every response shows. Two items are the
same variant where their text, but for the variant code, and their conditions are.
"""

from fractions import Fraction
from functools import partial

from .registry import Result, duplicates
from .simulate import Unsupported, package_item_results, package_resources, visible

Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
EXPORT = "qti.zip"


def lint_qti12(path, key, share) -> list[Result]:
    tests = package_resources(path, EXPORT)
    if isinstance(tests, Result):
        return [tests]
    results, asked = [], {}
    for item in (i for t in tests for i in t.iter(Q + "item")):
        name = f"{item.get('title', '?')}"
        problem = key.get(item.get("ident", ""))
        if problem is None:
            results.append(Result(EXPORT, name, "key", "no problem of key.json has its ident"))
            continue
        responses = [r.get("ident") for r in item.iter(Q + "response_str")] + [r.get("ident") for r in item.iter(Q + "response_num")]
        text = "".join(m.text or "" for p in item.findall(Q + "presentation") for m in p.iter(Q + "mattext")).replace(problem.code, "")
        asked[name] = (text, tuple((c.tag, c.get("respident"), c.text) for c in item.iter() if c.tag in (Q + "varequal", Q + "vargte", Q + "varlte")))
        results += package_item_results(EXPORT, name, problem, responses, Fraction(0), partial(run, item),
                                        (Unsupported, ValueError, ZeroDivisionError))
    return results + duplicates(EXPORT, asked)


def run(item, given: dict) -> tuple[Fraction, Fraction, list[str]]:
    """(SCORE, its maximum, the text of each feedback shown) for the responses ``given`` (None:
    not answered)."""
    processing = item.find(Q + "resprocessing")
    if processing is None:
        raise Unsupported("no resprocessing")
    variables, maxima = {}, {}
    for d in processing.iter(Q + "decvar"):
        variables[d.get("varname", "SCORE")] = Fraction(d.get("defaultval", "0"))
        maxima[d.get("varname", "SCORE")] = Fraction(d.get("maxvalue", "100"))
    shown = []
    for condition in processing.findall(Q + "respcondition"):
        if not _holds(condition.find(Q + "conditionvar"), given):
            continue
        for s in condition.findall(Q + "setvar"):
            name, value = s.get("varname", "SCORE"), Fraction((s.text or "0").strip())
            action = s.get("action", "Set")
            if action not in ("Set", "Add", "Subtract"):
                raise Unsupported(f"setvar action {action}")
            variables[name] = value if action == "Set" else variables.get(name, Fraction(0)) + (value if action == "Add" else -value)
        shown += [d.get("linkrefid") for d in condition.findall(Q + "displayfeedback")]
        if condition.get("continue", "No") == "No":
            break
    texts = {f.get("ident"): visible("".join(m.text or "" for m in f.iter(Q + "mattext"))) for f in item.findall(Q + "itemfeedback")}
    return variables.get("SCORE", Fraction(0)), maxima.get("SCORE", Fraction(100)), [texts.get(i, "") for i in shown]


def _holds(e, given) -> bool:
    if e is None:
        return False
    tag = e.tag.removeprefix(Q)
    if tag in ("conditionvar", "and"):
        return all(_holds(x, given) for x in e)
    if tag == "or":
        return any(_holds(x, given) for x in e)
    if tag == "not":
        return not _holds(e[0], given)
    if tag == "other":
        return True
    if tag in ("varequal", "vargte", "varlte"):
        response = given.get(e.get("respident"))
        if response is None:
            return False
        value = Fraction((e.text or "").strip())
        return response == value if tag == "varequal" else response >= value if tag == "vargte" else response <= value
    raise Unsupported(tag)
