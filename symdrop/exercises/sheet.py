"""Exercise sheets and class sets as data: exercises (problem, derivation, meta), by student."""

from dataclasses import dataclass, replace

import sympy

from ..core.derive import Derivation
from ..core.ensemble import Ensemble
from ..core.passnumbers import carried, carrying
from ..errors import BeyondExact
from ..model.network import Network
from ..numbers import to_sympy
from .generate import generate, stream, variant_code
from .kind import Kind, written_rows
from .kinds import KINDS
from .mistakes import Mistake
from .options import Options
from .roster import Student

FORWARD = (KINDS["forward"],)


@dataclass(frozen=True)
class Exercise:
    """One exercise, as R/exams has it: the data (a generated problem of a kind), the derivation
    its question and solution are rendered from, and the meta: number, variant code, seed,
    answer, the common wrong answers and the student it is for. Answer keys are built from the
    meta, never from text."""

    number: int  # 1.. within its sheet or student
    code: str
    seed: int
    kind: Kind
    network: Network
    derivation: Derivation | Ensemble  # what the kind's worked solution shows
    mistakes: tuple[Mistake, ...]
    student: Student | None = None

    @property
    def answer(self) -> tuple[sympy.Expr, ...]:
        return self.kind.read_answer(self.derivation)

    @property
    def tolerance(self):
        """What its answer is right within (None: exact), as the key and every export state it."""
        return self.kind.tolerance_for(self.network)

    def written_rows(self, values) -> list[tuple]:
        """An answer's ``values`` as a key writes them (:func:`~.kind.written_rows`): a matrix
        (backprop's dL/dW^(1)) row by row, as its table and the students write it."""
        return written_rows(values, self.kind.answer_columns(self.network))

    def wrong_answers(self) -> list[tuple[Mistake, tuple[sympy.Expr, ...]]]:
        """Every applicable mistake with its answer (exact SymPy numbers), for the key: each a
        different answer (the kinds' rule mistakes_distinct). Made once (each format's key
        entry asks), a new list each time."""
        if "_wrong" not in self.__dict__:
            object.__setattr__(self, "_wrong", tuple((m, tuple(map(to_sympy, m.answer))) for m in self.mistakes))
        return list(self.__dict__["_wrong"])


@dataclass(frozen=True)
class Sheet:
    """A sheet of exercises (one seed, one set of options), or a class set: some for each student."""

    seed: int
    options: Options
    exercises: tuple[Exercise, ...]
    students: tuple[Student, ...] = ()

    @property
    def class_set(self) -> bool:
        return bool(self.students)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The kinds of its exercises, in the order they first appear."""
        return tuple(dict.fromkeys(e.kind for e in self.exercises))

    def groups(self) -> list[tuple[Student | None, list[Exercise]]]:
        """The exercises by student, in roster order (one group without a student for a sheet)."""
        if not self.class_set:
            return [(None, list(self.exercises))]
        by_id: dict[str, list[Exercise]] = {s.id: [] for s in self.students}
        for e in self.exercises:
            by_id[e.student.id].append(e)
        return [(s, by_id[s.id]) for s in self.students]


def build_sheet(seed: int, options: Options, problems: int = 5, *, kinds: tuple[Kind, ...] = FORWARD,
                progress=None) -> Sheet:
    """``problems`` distinct exercises, cycling through ``kinds``; problem k comes from its own
    stream (seed, k), so a longer sheet starts with the same problems as a shorter one.
    ``progress`` (anything with ``advance()``) counts the exercises made."""
    chosen: list[Network] = []
    taken: set[str] = set()
    for k in range(1, problems + 1):
        kind = kinds[(k - 1) % len(kinds)]
        chosen.append(generate(stream(seed, "problem", k), options, kind, taken=taken, what=f"problem {k}"))
        taken.add(variant_code(kind, chosen[-1], options))
    exercises = []
    for k, network in enumerate(chosen, start=1):
        exercises.append(make_exercise(seed, k, network, options, kinds[(k - 1) % len(kinds)]))
        if progress:
            progress.advance()
    return Sheet(seed, options, tuple(exercises))


def build_class_set(
    seed: int, options: Options, students, problems: int = 1, *, kinds: tuple[Kind, ...] = FORWARD,
    progress=None,
) -> Sheet:
    """``problems`` exercises for each student, drawn from the stream (seed, student id, k), the
    k-th of the same kind for everyone: adding a student changes nobody else's problems. Should
    two students draw the same problem (rule 6), the one whose id sorts later draws again,
    whatever the roster's order."""
    taken: set[str] = set()
    chosen: dict[tuple[str, int], Network] = {}
    for student in sorted(students, key=lambda s: s.id):
        for k in range(1, problems + 1):
            kind = kinds[(k - 1) % len(kinds)]
            network = generate(stream(seed, "student", student.id, k), options, kind, taken=taken,
                               what=f"student {student.id!r}")
            taken.add(variant_code(kind, network, options))
            chosen[student.id, k] = network
    exercises = []
    for student in students:
        for k in range(1, problems + 1):
            exercises.append(make_exercise(seed, k, chosen[student.id, k], options, kinds[(k - 1) % len(kinds)], student))
            if progress:
                progress.advance()
    return Sheet(seed, options, tuple(exercises), tuple(students))


def spec_sheet(network: Network, kind: Kind) -> tuple[Sheet, str | None]:
    """A sheet of one exercise of ``kind``: the problem a spec gives, its title kept (``symdrop
    solve --format moodle|gift``); and why it has no mistakes, or None: where a mistake's pass
    refuses though the problem's own does not (see :class:`~symdrop.errors.BeyondExact`), the
    question is written without them."""
    options = Options()
    code = variant_code(kind, network, options)
    try:
        mistakes, left_out = kind.mistakes(network), None
    except BeyondExact as error:
        mistakes, left_out = (), str(error)
    exercise = Exercise(1, code, 0, kind, network, kind.derive(network), mistakes)
    return Sheet(0, options, (exercise,)), left_out


def make_exercise(seed: int, number: int, network: Network, options: Options, kind: Kind = FORWARD[0],
                  student: Student | None = None) -> Exercise:
    """The exercise of a generated problem: its derivation and meta. Its title names it; a
    drawn title stays after a colon (the question a kind with several asks, see noise.py)."""
    code = variant_code(kind, network, options)
    asked = f": {network.title}" if network.title else ""
    numbers = carried(network)  # a drawn network's numbers, which the title does not change
    network = replace(network, title=f"Problem {number} (variant {code}){asked}")
    network = network if numbers is None else carrying(network, numbers)
    return Exercise(number, code, seed, kind, network, kind.derive(network), kind.mistakes(network), student)
