"""key.json read back: bounded before any work, every key once, each entry as symdrop sheet wrote it (its digest)."""

import hashlib
import json
import re
from fractions import Fraction
from functools import partial
from pathlib import Path

from ..errors import SymdropError, quote
from ..exercises.kinds import get
from ..exercises.labels import label_of
from ..exercises.mistakes import Mistake
from ..limits import MAX_KEY_BYTES, MAX_KEY_PROBLEMS
from ..textfiles import read_text

# What an entry's digest leaves out: the digest itself, and whom the problem is for (a student id
# or name corrected by hand changes no problem), and its number on the student's sheet.
UNDIGESTED = ("digest", "student", "name", "number")
WRITTEN = "an object {\"problems\": [...]} as symdrop sheet writes it"
CODE = re.compile(r"[A-Za-z0-9]{1,40}", re.ASCII)  # a variant code: it names files and headings
# A rational as sheet writes an exact answer (numbertext.exact_text): 7, -506/25
RATIONAL = re.compile(r"-?[0-9]{1,400}(?:/[1-9][0-9]{0,399})?", re.ASCII)
# A mistake's id as the kinds name them (forgot_relu_2, swapped_masks_1_2): grades.csv, grades.json
# and the report write it as it is, so an id of other characters is not taken from a key
MISTAKE_ID = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)


def digest(entry: dict) -> str:
    """The SHA-256 of an entry's problem, its answers and its mistakes: of its canonical JSON
    (keys sorted, no spaces, ASCII with \\u escapes), everything but :data:`UNDIGESTED`. Sheet writes it into
    each entry; grade and check refuse an entry whose digest differs (edited since)."""
    problem = {k: v for k, v in entry.items() if k not in UNDIGESTED}
    return hashlib.sha256(_CANONICAL(problem).encode("ascii")).hexdigest()


# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True), its encoder made once
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode


def read_key(path) -> dict:
    """A key.json that ``symdrop sheet`` wrote: ``{"problems": [{"code", "kind", "spec", "digest",
    ...}]}``. Refused in one line: larger than :data:`MAX_KEY_BYTES` (before it is parsed), a key
    given twice in one object, more than :data:`MAX_KEY_PROBLEMS` problems (before any spec is
    read), an entry that is not one, a code twice, an entry without its digest in a key whose
    others have one, or whose digest no longer matches it. A key without any digest (written
    before keys had them) is returned as it is: :func:`undigested` says so."""
    path = Path(path)
    text = read_text(path, MAX_KEY_BYTES, "a key.json")
    twice: list = []  # the objects that hold a key twice (json.loads would keep the last)
    try:
        key = json.loads(text, object_pairs_hook=partial(_pairs, twice), parse_float=str,
                         parse_constant=_constant)
    except (ValueError, RecursionError):
        raise SymdropError(f"{path}: expected a key.json that symdrop sheet wrote (not valid JSON)") from None
    if twice:
        where, name = _twice(key)
        raise SymdropError(f"{path}: {where or 'the top level'}: key {quote(name)} appears twice in one object; "
                           f"give each key once")
    problems = key.get("problems") if isinstance(key, dict) else None
    if not isinstance(problems, list):
        raise SymdropError(f"{path}: expected a key.json that symdrop sheet wrote ({WRITTEN})")
    if len(problems) > MAX_KEY_PROBLEMS:
        raise SymdropError(f"{path}: {len(problems):,} problems; the limit is {MAX_KEY_PROBLEMS:,} problems in a key "
                           f"(the most one symdrop sheet run writes)")
    _check_entries(path, problems)
    return key


def undigested(key: dict) -> bool:
    """Whether a key read by :func:`read_key` was written before entries carried digests."""
    return bool(key["problems"]) and not any("digest" in e for e in key["problems"])


def legacy_warning(path) -> str:
    return (f"symdrop: warning: {path}: its entries carry no digest (written before symdrop keys had them): "
            f"graded as they stand, an entry edited since unnoticed")


def recorded_mistakes(entry: dict) -> tuple[Mistake, ...] | None:
    """The common wrong answers an entry of a digested key lists, as sheet computed them from its
    spec (in the kind's order, each answer as ints and Fractions), or None where grade computes
    them again: a key without digests (an entry edited unnoticed), an entry whose answers are
    right within a tolerance (irrational), one that lists none (a key written by hand), or one
    whose mistakes are not all ``{"id", "label", "answer": [exact rationals]}``, each id as the
    kinds write one (:data:`MISTAKE_ID`; the digest is no signature: whoever writes key.json can
    write it). Grade names a final answer's mistake from this list, the one the instructor's key
    shows (the fast path of grading; tests/test_fast_paths.py checks that it names what computing
    the mistakes names); the steps of a student's working are followed from the spec, with the
    passes of these mistakes."""
    listed = entry.get("mistakes")
    if "digest" not in entry or "tolerance" in entry or not isinstance(listed, list) or not listed:
        return None
    found = []
    for m in listed:
        answer = m.get("answer") if isinstance(m, dict) else None
        if not (isinstance(answer, list) and isinstance(m.get("id"), str) and isinstance(m.get("label"), str)
                and MISTAKE_ID.fullmatch(m["id"]) and all(isinstance(v, str) and RATIONAL.fullmatch(v) for v in answer)):
            return None
        found.append(Mistake(m["id"], label_of(m["label"], m.get("label_tex")), tuple(map(_rational, answer))))
    return tuple(found)


def _rational(text: str) -> int | Fraction:
    """A rational as :data:`RATIONAL` reads it: an int, or a Fraction (reduced)."""
    numerator, _, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator)) if denominator else int(numerator)


def _check_entries(path: Path, problems: list) -> None:
    digests = any(isinstance(e, dict) and "digest" in e for e in problems)
    class_set = any(isinstance(e, dict) and "student" in e for e in problems)  # a class set's: every entry's
    seen: dict[str, int] = {}
    for i, e in enumerate(problems):
        where = f"{path}: problems[{i}]"
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in ("code", "kind")) \
                or not isinstance(e.get("spec"), dict) or type(e.get("number")) is not int:
            raise SymdropError(f"{where}: expected an entry with a code, a number, a kind and a spec ({WRITTEN})")
        for field in ("student", "name", "digest"):
            if field in e and not isinstance(e[field], str):
                raise SymdropError(f"{where}: {field}: expected text, got {quote(json.dumps(e[field]))}")
        if not CODE.fullmatch(e["code"]) or not 1 <= e["number"] <= MAX_KEY_PROBLEMS:
            bad = ("code", "letters and digits (at most 40)") if not CODE.fullmatch(e["code"]) else \
                ("number", f"1 to {MAX_KEY_PROBLEMS}")
            raise SymdropError(f"{where}: {bad[0]}: expected {bad[1]}, got {quote(str(e[bad[0]]))}")
        where = f"{where} (code {e['code']})"
        if class_set and "student" not in e:
            raise SymdropError(f"{where}: no student, though the key's other entries have one (a class set's key "
                               f"names the student of every problem)")
        try:
            get(e["kind"])
        except SymdropError as error:
            raise SymdropError(f"{where}: {error}") from None
        if e["code"] in seen:
            raise SymdropError(f"{where}: the code appears twice (also problems[{seen[e['code']]}])")
        seen[e["code"]] = i
        if digests and "digest" not in e:
            raise SymdropError(f"{where}: no digest, though the key's other entries have one: the entry was added "
                               f"or changed by hand (write the key again with symdrop sheet)")
        if digests and e["digest"] != digest(e):
            raise SymdropError(f"{where}: its spec or answers no longer match its digest: the entry was edited "
                               f"after symdrop sheet wrote it (restore it, or write the key again with symdrop sheet)")


def _pairs(twice: list, pairs: list) -> dict:
    """A JSON object; one that holds a key twice is a :class:`_Twice` and is noted in ``twice``."""
    data = dict(pairs)
    if len(data) == len(pairs):
        return data
    seen = set()
    name = next(k for k, _ in pairs if k in seen or seen.add(k))
    twice.append(name)
    return _Twice(data, name)


class _Twice(dict):
    """A JSON object that held the key ``twice`` more than once."""

    def __init__(self, data: dict, twice: str):
        super().__init__(data)
        self.twice = twice


def _twice(data) -> tuple[str, str]:
    """(where, key) of the first object of ``data`` that held a key twice, in document order;
    without recursion (a hostile key nests deep)."""
    todo = [("", data)]
    while todo:
        where, item = todo.pop()
        if isinstance(item, _Twice):
            return where, item.twice
        if isinstance(item, dict):
            todo += [(f"{where}.{k}" if where else str(k), v) for k, v in reversed(item.items())]
        elif isinstance(item, list):
            todo += [(f"{where}[{i}]", v) for i, v in reversed(list(enumerate(item)))]
    raise AssertionError("a key noted twice is in the data")


def _constant(name: str):
    raise ValueError(f"{name} is no JSON number")
