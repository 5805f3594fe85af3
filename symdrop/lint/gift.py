"""Lint GIFT (questions.gift): the file read by a real GIFT parser (npm's gift-pegjs, run by
Node.js) and each numerical question ``{#=v:t#fb =%G%v:t#fb ...}`` graded as Moodle grades the
numerical question it imports: the first answer, in order, whose interval holds the response.

A GIFT question holds one number: of an answer of several, the one with the most distinct wrong
values among key.json's mistakes (the first on a tie), as the export asks it. Two questions are the same variant where their text, but for the variant
code, and their right answers are (two problems may well ask the same one number).
"""

import json
import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

from .registry import Problem, Result, duplicates
from .simulate import Answer, moodle_numerical, mistake_results, visible

EXPORT = "questions.gift"
# The parser's own message on a parse error (Node's uncaught error ends its report with its version).
PARSE = ("const {parse} = require('gift-pegjs'); const fs = require('fs'); let questions;"
         "try { questions = parse(fs.readFileSync(process.argv[1], 'utf8')); }"
         "catch (e) { process.stderr.write('PARSE: ' + String(e && e.message || e).split('\\n')[0]); process.exit(1); }"
         "process.stdout.write(JSON.stringify(questions));")
CHECKOUT_MODULES = Path(__file__).resolve().parents[2] / ".ci" / "node" / "node_modules"  # .ci/run installs it there


def parse(path: Path) -> list:
    """The questions of a GIFT file as gift-pegjs reads them (its modules on NODE_PATH, or in the
    checkout's .ci/node)."""
    if shutil.which("node") is None:
        raise OSError("node not found (GIFT is read by npm's gift-pegjs under Node.js)")
    paths = [p for p in (os.environ.get("NODE_PATH", ""), str(CHECKOUT_MODULES)) if p]
    done = subprocess.run(["node", "-e", PARSE, str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_PATH": os.pathsep.join(paths)})
    if "Cannot find module 'gift-pegjs'" in done.stderr:
        raise OSError("gift-pegjs not found (npm install gift-pegjs; NODE_PATH its node_modules)")
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.startswith("PARSE: ")]
        raise OSError((said[0][len("PARSE: "):] if said else "node failed: " + done.stderr.strip()[:120])[:200])
    return json.loads(done.stdout)


def asked_number(problem: Problem) -> int:
    """Which number of the answer a GIFT question asks: the most distinct wrong values, the first on a tie."""
    wrong = [len({m[k] for _, _, m in problem.mistakes if m[k] != right}) for k, right in enumerate(problem.answer)]
    return wrong.index(max(wrong))


def lint_gift(path, key, share) -> list[Result]:
    from .moodle import allowed_share

    try:
        questions = parse(path)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        return [Result(EXPORT, "-", "read", f"cannot parse with gift-pegjs: {error}")]
    results, asked = [], {}
    for q in questions:
        if q.get("type") == "Category":
            continue
        name = " ".join(str(q.get("title") or "?").split())
        problem = next((key[c] for c in re.findall(r"\(([^()]+)\)", name) if c in key), None)
        if q.get("type") != "Numerical" or problem is None:
            results.append(Result(EXPORT, name, "key", "no problem of key.json has its code" if problem is None
                                  else f"a {q.get('type')} question, not Numerical"))
            continue
        try:
            choices = q["choices"]  # a number alone ({#3}) is the answer itself
            answers = [_answer(c) for c in ([{"isCorrect": True, "text": choices}] if isinstance(choices, dict) else choices)]
        except (KeyError, TypeError, ValueError) as error:
            results.append(Result(EXPORT, name, "read", f"cannot read an answer: {error}"))
            continue
        k = asked_number(problem)
        one = Problem(problem.code, (problem.answer[k],), tuple((i, label, (m[k],)) for i, label, m in problem.mistakes))
        text = str((q.get("stem") or {}).get("text", "")).replace(problem.code, "")  # the same problem: the same text but its code
        asked[name] = (text, tuple((a.value, a.tolerance) for a in answers if a.grade == 100))
        results += mistake_results(EXPORT, name, one, allowed_share(share), lambda values, answers=answers: _grade(answers, values))
    return results + duplicates(EXPORT, asked)


def _grade(answers, values) -> tuple[Fraction, Fraction, list[str]]:
    percent, feedback = moodle_numerical(answers, values[0])
    return percent / 100, Fraction(1), [feedback] if feedback else []


def _answer(choice: dict) -> Answer:
    """One answer as gift-pegjs gives it: ``weight`` the percent (None: ``=``, 100; a ``~``
    answer without one: 0); ``text`` a number with a range, a number alone, or high..low. The
    parser's doubles are read back as the shortest decimal that gives them (the decimal written)."""
    weight = choice.get("weight")
    percent = Fraction(repr(weight)) if weight is not None else Fraction(100 if choice.get("isCorrect") else 0)
    text = choice["text"]
    number = lambda v: Fraction(repr(v))  # noqa: E731
    if text["type"] == "range":
        value, tolerance = number(text["number"]), abs(number(text["range"]))
    elif text["type"] == "simple":
        value, tolerance = number(text["number"]), Fraction(0)
    elif text["type"] == "high-low":
        high, low = number(text["numberHigh"]), number(text["numberLow"])
        value, tolerance = (high + low) / 2, abs(high - low) / 2
    else:
        raise ValueError(f"a numerical answer of type {text['type']!r}")
    return Answer(percent, value, tolerance, visible((choice.get("feedback") or {}).get("text") or ""))
