"""Random problems of any kind: an explicit random.Random per problem, the kind's rules, bounded attempts."""

import hashlib
import random
from collections import Counter
from functools import lru_cache

from ..errors import SymdropError
from ..model.network import Network
from .kind import Kind
from .options import Options

MAX_ATTEMPTS = 1000  # candidate problems per accepted one before giving up
FLOW_ATTEMPTS = 20  # candidates in which the signal must flow well, before any will do (see a kind's draw)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud, typed back


def stream(seed: int, *key) -> random.Random:
    """The random stream of one problem: from the seed and a key (problem number, student id).

    Derived with SHA-256, so it is the same in every process and for every PYTHONHASHSEED, and
    one problem's stream does not depend on any other problem.
    """
    text = "\x1f".join(["symdrop-sheet-1", str(seed), *(str(k) for k in key)])
    return random.Random(int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big"))


def variant_code(kind: Kind, network: Network, options: Options) -> str:
    """A short code that names a problem by its content: 6 characters, SHA-256 based."""
    return _code(kind.code_text(network, options))


@lru_cache(maxsize=4096)  # asked when drawn (rule 6), when kept, and for the exercise
def _code(text: str) -> str:
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    code = []
    for _ in range(6):
        number, digit = divmod(number, len(CODE_ALPHABET))
        code.append(CODE_ALPHABET[digit])
    return "".join(code)


def distinct(codes) -> bool:
    """Rule 6: no two problems of a sheet or class set are the same (by their variant codes)."""
    codes = list(codes)
    return len(set(codes)) == len(codes)


def generate(rng: random.Random, options: Options, kind: Kind, *, taken=frozenset(),
             what: str = "a problem", rejected: Counter | None = None, redrawn: Counter | None = None) -> Network:
    """The first problem of ``kind`` drawn from ``rng`` that meets the kind's rules and whose code
    is not ``taken`` (the last rule, distinct). Raises :class:`SymdropError` after
    ``MAX_ATTEMPTS`` candidates. ``rejected`` counts the candidates each rule rejected (the first
    it broke), ``redrawn`` the layers drawn again while drawing (by the rule they would break)."""
    failures, drawing = Counter(), Counter()
    for attempt in range(MAX_ATTEMPTS):
        network = kind.draw(rng, options, drawing, attempt < FLOW_ATTEMPTS)
        if network is None:
            continue
        failed = kind.first_failed_rule(network, options)  # the later rules, often the dearest, not checked
        if failed:
            failures[failed] += 1
        elif variant_code(kind, network, options) in taken:
            failures["distinct"] += 1
        else:
            if rejected is not None:
                rejected.update(failures)
            if redrawn is not None:
                redrawn.update(drawing)
            return network
    failures.update(drawing)
    rule, _ = failures.most_common(1)[0]
    names = list(kind.rules_for(options)) + ["distinct"]
    which = f"rule {names.index(rule) + 1}, {rule}" if rule in names else f"{rule}, while drawing"
    others = ["a wider --range"] + (["another --shape"] if kind.shaped else []) + (["other --keep values"] if kind.uses_keep else [])
    hint = ", ".join(others[:-1]) + " or " + others[-1] if len(others) > 1 else others[0]
    raise SymdropError(
        f"cannot generate {what} of kind {kind.name}: no candidate met the rules in {MAX_ATTEMPTS} attempts with "
        f"{kind.drawn_with(options).describe(keep=kind.uses_keep, shape=kind.shaped)} (failed most often: {which}); try {hint}"
    )
