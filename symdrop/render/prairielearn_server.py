"""What a PrairieLearn question's ``server.py`` does, done by symdrop: draw a variant from
PrairieLearn's variant seed, read the typed answers exactly, grade them with symdrop's own
grading (the rubric of ``symdrop grade``: partial credit per part, error carried forward, the
mistake named), and serve the picture.

``server.py`` (``templates/prairielearn/server.j2``) holds no settings and no users' text: it
reads its question's ``symdrop.json`` (kind, seed, options, rubric, the inputs of
``question.html``, the title) and hands it to these functions with PrairieLearn's ``data``.
"""

import re
from dataclasses import dataclass
from fractions import Fraction

from ..errors import SymdropError, quote
from ..exercises.generate import generate as draw_problem, stream
from ..exercises.kind import answer_quantities
from ..exercises.kinds import get
from ..exercises.options import Options, parse_keep
from ..exercises.sheet import Exercise, Sheet, make_exercise
from ..grading.answers import join_numbers
from ..grading.grade import Row, Rubric, grade as grade_rows
from ..limits import MAX_DIGITS, MAX_EXPONENT
from ..model.spec import parse_spec
from ..numbers import to_sympy
from .alttext import describe
from .documents import diagram_of, render_svg
from .env import make_env
from .html import exercise_html
from .lms import as_fraction, decimal_text
from .numbertext import answer_text, exact_text
from .options import RenderOptions
from .sheets import key_json

CONFIG = "symdrop.json"  # beside server.py: the question's settings, as data
FIGURE = "network.svg"  # the picture pl-figure asks file() for
FEEDBACK = "symdrop"  # data["feedback"][FEEDBACK]: the lines of the whole answer's feedback
EXACT = "symdrop"  # data["correct_answers"][EXACT]: every input's exact answer (no element grades them)
STREAM = "prairielearn"  # a variant's random stream: (seed, STREAM, kind, variant seed)
_DECIMAL = r"[+-]?(\d+[.,]?\d*|[.,]\d+)([eE][+-]?\d{1,3})?"  # a decimal comma is a point, as grade reads it
_NUMBER = re.compile(rf"(?P<num>{_DECIMAL})(/(?P<den>{_DECIMAL}))?", re.ASCII)
PLACES = 15  # the places an irrational value is typed to (tolerances are 10^-2 or more)
RIGHT = "Right."
CARRIED = "Right given your own earlier values (error carried forward)."
WRONG = "Not right: see the worked solution."


@dataclass(frozen=True)
class Input:
    """One input of ``question.html``: its answers-name, the part of symdrop's grading it gives
    numbers of (``z1``, ``a1``, ..., ``y``), and for a matrix (pl-matrix-component-input) its
    rows and columns, whose entries PrairieLearn names ``name`` + 1, 2, ... row by row."""

    name: str
    part: str
    rows: int = 0
    columns: int = 0

    @property
    def entries(self) -> tuple[str, ...]:
        """The answers-names its numbers arrive under, in the part's order."""
        if not self.rows:
            return (self.name,)
        return tuple(f"{self.name}{k}" for k in range(1, self.rows * self.columns + 1))

    def as_json(self) -> dict:
        return {"name": self.name, "part": self.part, "rows": self.rows, "columns": self.columns}


def inputs_of(e: Exercise) -> list[tuple[Input, object]]:
    """The inputs of exercise ``e``'s question, each with the Part its label names: for a kind
    whose students give their layer values, every z^(l) and a^(l) entry (graded with error carried
    forward), then each quantity of the answer: a number, or a whole matrix."""
    parts = e.kind.parts(e.derivation)
    found = []
    if e.kind.has_layer_values:
        for p in parts:
            if p.name in ("z", "a") and p.answer is None:
                found.append((Input(f"{p.name}{p.l}_{p.index[0]}", f"{p.name}{p.l}"), p))
    for k, q in enumerate(answer_quantities(parts), start=1):
        if q.matrix:
            found.append((Input(f"y{k}_", "y", *q.shape), q.part))
        else:
            found.append((Input(f"y{k}", "y"), q.part))
    return found


def options_of(config: dict) -> Options:
    """The sheet's options, as ``symdrop.json`` keeps them."""
    o = config["options"]
    return Options(tuple(o["shape"]), o["values"], o["low"], o["high"], keep=parse_keep(",".join(o["keep"])),
                   answers=o["answers"], activation=o["activation"], digits=o["digits"])


def render_options(config: dict, diagram: bool = False) -> RenderOptions:
    r = config["render"]
    return RenderOptions(decimals=r["decimals"], digits=r["digits"], diagram=diagram, edge_weights=r["edge_weights"])


def variant(config: dict, variant_seed) -> Exercise:
    """The exercise of a variant: drawn from the question's seed and PrairieLearn's variant seed,
    the same for the same two (and every other setting of ``symdrop.json``)."""
    kind, options = get(config["kind"]), options_of(config)
    rng = stream(config["seed"], STREAM, kind.name, int(variant_seed))
    network = draw_problem(rng, options, kind, what=f"a variant (seed {variant_seed})")
    return make_exercise(config["seed"], 1, network, options, kind)


def generate(data: dict, config: dict) -> None:
    """PrairieLearn's ``generate``: the variant's problem, labels, picture, answer and worked
    solution in ``data["params"]``, the exact answers in ``data["correct_answers"]``."""
    e = variant(config, data["variant_seed"])
    found = inputs_of(e)
    if [i.as_json() for i, _ in found] != config["inputs"]:  # question.html was written for other inputs
        raise SymdropError(f"variant {e.code}: its answer has other parts than question.html asks for")
    shown = render_options(config)
    html = exercise_html(e, shown)
    labels = make_env(shown).get_template("moodle/labels.j2").make_module()
    picture = diagram_of(e.derivation, shown.edge_weights)
    entry = key_json(Sheet(config["seed"], options_of(config), (e,)))["problems"][0]
    data["params"].update({
        "title": config["title"], "code": e.code, "statement": html["question"], "answer": html["answer"],
        "solution": html["solution"], "figure": bool(config["render"]["diagram"]) and picture is not None and not picture.too_large
                  and {"alt": describe(picture)},
        "labels": {i.name: rf"\({labels.label(part)} =\)" for i, part in found},
        "entry": entry, "tolerance": tolerance_of(e),
    })
    entries = [n for i, _ in found for n in i.entries]
    values = [typed(part.value) for i, part in found if i.part != "y"] + [typed(v) for v in e.answer]
    data["correct_answers"][EXACT] = dict(zip(entries, values))


def tolerance_of(e: Exercise) -> dict | None:
    """What question.html says the numbers are right within, as the LMS questions say it by their
    boxes (the problem's statement says it only on paper): where values are irrational (a sigmoid
    or tanh, an NWGM), the tolerance grading takes (``0.0003``) and the places it asks for, as
    moodle/labels.j2's ``how`` gives them; else None, exact."""
    if e.tolerance is None:
        return None
    within = exact_text(e.tolerance, decimals=True)
    return {"places": len(within.partition(".")[2]), "within": within}


def typed(value) -> str:
    """An exact value as a student types it: ``-3/4``; an irrational one (through a sigmoid) as
    a decimal of :data:`PLACES` places (no exponent: ``6.5e-142`` is ``0``), right within the
    problem's tolerance."""
    if to_sympy(value).is_Rational:
        return answer_text(value)
    return decimal_text(as_fraction(value), PLACES)


def read_exact(text) -> Fraction:
    """A number as pl-number-input takes it, exactly: ``7``, ``-0.75``, ``1.5e-3``, ``-3/4``,
    ``2.5/3`` (a minus sign and the division slashes as PrairieLearn reads them), and with a
    decimal comma and spaces as ``check`` and ``grade`` take them: ``-0,75``, ``- 245 / 3``
    (spaces around ``/`` and after the leading sign: a box holds one number)."""
    item = str(text).strip().replace("\u2212", "-").replace("\u2215", "/").replace("\u00f7", "/")
    item = join_numbers(re.sub(r"\s", " ", item))  # "- 245 / 3" is -245/3, as grade reads it
    match = _NUMBER.fullmatch(item)
    if not match:
        raise SymdropError(f"expected a number like 7, -3/4, -0.75, -0,75 or 1.5e-3, got {quote(str(text))}")
    digits = sum(c.isdigit() for c in item)
    if digits > MAX_DIGITS:
        raise SymdropError(f"{quote(item)} has {digits} digits; the limit is {MAX_DIGITS} digits per number")
    exponents = [int(e[1:]) for e in re.findall(r"[eE][+-]?\d+", item)]
    if any(abs(e) > MAX_EXPONENT for e in exponents):
        raise SymdropError(f"{quote(item)}: its exponent is beyond the limit of exponents from -{MAX_EXPONENT} to {MAX_EXPONENT}")
    value = Fraction(match["num"].replace(",", "."))
    if match["den"] is not None:
        if Fraction(match["den"].replace(",", ".")) == 0:
            raise SymdropError(f"{quote(item)} divides by zero")
        value /= Fraction(match["den"].replace(",", "."))
    if sum(c.isdigit() for c in graded_text(value)) > MAX_DIGITS:  # 1e-40: its exact value is 41 digits long
        raise SymdropError(f"{quote(item)} is {graded_text(value)} exactly, more than the {MAX_DIGITS} digits per number grading takes")
    return value


def graded_text(value: Fraction) -> str:
    """``value`` as symdrop grade reads it, in its shorter exact form: a decimal where it
    terminates (a typed 0.731058578630004879251 is 21 places, its reduced fraction 43 digits),
    else the fraction."""
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1 or value.denominator == 1:
        return str(value)
    return min(str(value), decimal_text(value, max(twos, fives)), key=len)  # 2^-40: its fraction is shorter


def parse(data: dict, config: dict) -> dict | None:
    """PrairieLearn's ``parse``: every input's typed text (``raw_submitted_answers``) read
    exactly; an entry that does not read gets its ``format_errors`` line. The exact numbers by
    entry, or None where any failed."""
    found, failed = {}, False
    for spec in config["inputs"]:
        for name in Input(**spec).entries:
            raw = data["raw_submitted_answers"].get(name)
            try:
                if raw is None or str(raw).strip() == "":
                    raise SymdropError("expected a number; the box is empty")
                found[name] = read_exact(raw)
            except SymdropError as error:
                data["format_errors"].setdefault(name, str(error))
                failed = True
    return None if failed else found


def grade(data: dict, config: dict) -> None:
    """PrairieLearn's ``grade``: symdrop's grading of the typed numbers (never the elements'
    float comparison): ``data["partial_scores"]`` per input (the score of the part it belongs
    to), ``data["score"]`` (the rubric's points over the most the asked parts give), and
    ``data["feedback"][FEEDBACK]``, a line per part not right: the mistake that gives it,
    where one does, or that it is right given the student's own earlier values."""
    values = parse(data, config)
    if values is None:
        return
    inputs = [Input(**spec) for spec in config["inputs"]]
    parts = list(dict.fromkeys(i.part for i in inputs))
    cells = {part: "; ".join(graded_text(values[n]) for i in inputs if i.part == part for n in i.entries) for part in parts}
    entry = data["params"]["entry"]
    graded = graded_parts(entry, cells, rubric_of(config))
    labels = {m["id"]: m["label"] for m in entry["mistakes"]}
    total, most, lines = Fraction(0), Fraction(0), []
    for p in graded:
        score = max(Fraction(0), p.points / p.max_points) if p.max_points else Fraction(0)
        text = part_feedback(p, labels)
        total, most = total + p.points, most + p.max_points
        for i in (i for i in inputs if i.part == p.part):
            for name in ((i.name,) if i.rows else i.entries):
                data["partial_scores"][name] = {"score": float(score), "weight": 1}
                if not i.rows:
                    data["partial_scores"][name]["feedback"] = text
        if text != RIGHT:
            lines.append(f"{'The answer' if p.part == 'y' else f'{p.part[0]}^({p.part[1:]})'}: {text}")
    data["score"] = float(max(Fraction(0), total / most)) if most else 0.0
    data["feedback"][FEEDBACK] = lines or [RIGHT]


def graded_parts(entry: dict, cells: dict, rubric: Rubric) -> list:
    """symdrop grade's parts of one answer (``cells``: part -> ``"3; 0; -2"``) to a key entry."""
    students, ungraded = grade_rows({"problems": [entry]}, [Row(2, "student", entry["code"], cells)], rubric,
                                    None, tuple(cells))
    if ungraded or not students:
        raise SymdropError(f"variant {entry['code']}: not graded: {ungraded[0].reason if ungraded else 'no answer'}")
    return students[0].parts


def part_feedback(p, labels: dict) -> str:
    """One graded part in words: right, carried forward, the mistake(s) that give it, or wrong."""
    if p.correct:
        return RIGHT
    if p.mistakes:
        named = "; or ".join(labels.get(m, m) for m in p.mistakes)
        return f"This is what a common mistake gives: {named}."
    if p.carried_forward and p.points == p.max_points:
        return CARRIED
    if p.carried_forward:  # after a named mistake: the rubric gives no carried-forward credit
        return "Right given your own earlier values, but they follow from a mistake named above (no credit)."
    return WRONG


def rubric_of(config: dict) -> Rubric:
    """The rubric ``symdrop.json`` holds (symdrop grade's, by default), exact."""
    r = config["rubric"]
    return Rubric(**{k: Fraction(v) for k, v in r.items() if k != "carry_forward_mistakes"},
                  carry_forward_mistakes=bool(r["carry_forward_mistakes"]))


def rubric_json(rubric: Rubric = Rubric()) -> dict:
    return {"y": str(rubric.y), "z": str(rubric.z), "a": str(rubric.a), "carried_forward": str(rubric.carried_forward),
            "mistake": str(rubric.mistake), "penalty": str(rubric.penalty),
            "carry_forward_mistakes": rubric.carry_forward_mistakes}


def file(data: dict, config: dict):
    """PrairieLearn's ``file``: the variant's picture (SVG text) for pl-figure; "" for any other name."""
    if data.get("filename") != FIGURE or not config["render"]["diagram"]:
        return ""
    kind = get(data["params"]["entry"]["kind"])
    network = parse_spec(data["params"]["entry"]["spec"])
    return render_svg(kind.derive(network), render_options(config, diagram=True)) or ""
