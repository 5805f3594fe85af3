"""Malformed specs for fuzzing: the tutorial's spec broken at random, as data, YAML text or JSON text.

Shared by tests/test_fuzz.py (hypothesis hands in its ``random.Random``) and
benchmarks/fuzz_specs.py (10,000+ cases, counted by outcome).
"""

import contextlib
import io
import json
import random

import yaml

from symdrop.cli import main

TUTORIAL = {
    "title": "Dropout toy example",
    "input": [1, 1],
    "layers": [
        {"weights": [[1, 2], [-1, 1], [2, -3]], "bias": [0, 1, -1], "activation": "relu"},
        {"weights": [[1, -1, 2], [-2, 1, 1], [1, 1, -1]], "bias": [1, 2, 0]},
        {"weights": [[1, 2, -1], [2, -1, 1]], "bias": [2, -1]},
        {"weights": [[-1, 3]], "bias": [1]},
    ],
    "masks": [[1, 1], [1, 0, 1], [0, 1, 1], [0, 1]],
    "dropout": {"convention": "plain", "keep": "4/5"},
}

# Values that broke or could break a reader: enormous numbers, YAML 1.1 forms, other digits,
# controls, wrong types, sizes beyond the limits.
ATOMS = [
    "1e999999999", "1e5000", "-1e-999999", "9" * 5000, "1/" + "3" * 50, "0b11", "0x1F", "010", "1:30", "1_000",
    "yes", "off", ".inf", "-.nan", "nan", "3/0", "-0", "0.1", "-3/4", " 2 ", "١/٢", "１２", "\u2212" + "1",
    "a\nb", "\x00", "\x1b[31m", "=HYPERLINK(\"x\")", "", None, True, 0, 1, -1, 2.5, 10 ** 50, [], {}, [[]],
    [1] * 65, "relu", "sigmoid", {"leaky_relu": "1/10"}, {"leaky_relu": 2}, "x" * 10_000,
]
KEYS = ["input", "layers", "masks", "dropout", "keep", "convention", "weights", "bias", "activation", "title",
        "target", "loss", "a\nb", "\x00", "<<", "1", ""]


def case(rng: random.Random) -> tuple[str, str]:
    """One malformed spec: (file suffix, text)."""
    spec = json.loads(json.dumps(TUTORIAL))
    for _ in range(rng.choice((1, 1, 2, 3))):
        _mutate(rng, spec)
    form = rng.random()
    if form < 0.45:
        text = yaml.safe_dump(spec, allow_unicode=rng.random() < 0.5, default_flow_style=rng.random() < 0.5)
    elif form < 0.7:
        text = json.dumps(spec, ensure_ascii=rng.random() < 0.5)
    else:
        text = _text_mutation(rng, yaml.safe_dump(spec, default_flow_style=True))
    return (".json" if form >= 0.45 and form < 0.7 else ".yaml"), text


def _mutate(rng: random.Random, spec) -> None:
    """Replace, drop, add, nest or repeat one value somewhere in ``spec``."""
    parent, key = _somewhere(rng, spec)
    action = rng.randrange(7)
    if action == 0:
        parent[key] = rng.choice(ATOMS)
    elif action == 1 and isinstance(parent, dict):
        del parent[key]
    elif action == 2 and isinstance(parent, dict):
        parent[rng.choice(KEYS)] = rng.choice(ATOMS)
    elif action == 3:
        value = parent[key]
        for _ in range(rng.choice((2, 25, 60))):  # deeper: tests/test_hostile.py (PyYAML scans it slowly)
            value = [value]
        parent[key] = value
    elif action == 4 and isinstance(parent[key], list):
        parent[key] = parent[key] * rng.choice((2, 20, 70))
    elif action == 5 and isinstance(parent, list):
        parent.append(rng.choice(ATOMS))
    else:
        parent[key] = rng.choice(ATOMS)


def _somewhere(rng: random.Random, spec):
    """A (container, key) pair at a random place of ``spec``."""
    parent, key = spec, rng.choice(list(spec))
    while isinstance(parent[key], (dict, list)) and parent[key] and rng.random() < 0.7:
        parent = parent[key]
        key = rng.choice(list(parent)) if isinstance(parent, dict) else rng.randrange(len(parent))
    return parent, key


def _text_mutation(rng: random.Random, text: str) -> str:
    """Text-level damage a data mutation cannot make: YAML 1.1 forms, aliases, duplicate keys,
    directives, deep brackets, stray characters."""
    choices = [
        lambda t: t.replace("4/5", rng.choice(["010", "0b11", "1:30", "0o7", "yes", "1e999999999", "١"])),
        lambda t: "%YAML 1.2\n---\n" + t,
        lambda t: t.rstrip().rstrip("}") + ", input: [2, 2]}",  # a duplicate key
        lambda t: "a: &a [" + ", ".join(["1"] * 400) + "]\nb: &b [" + ", ".join(["*a"] * 10) + "]\n" + t,
        lambda t: t.replace("[1, 1]", "[" * 100 + "1" + "]" * 100, 1),
        lambda t: t[: (i := rng.randrange(len(t)))] + rng.choice("[]{}:,&*!|>'\"%@`#\t\n\x00\x1b\u2028") + t[i:],
        lambda t: t[: rng.randrange(len(t))],
    ]
    return rng.choice(choices)(text)


def run_cli(path, args=("--format", "json")) -> tuple[str, str]:
    """``symdrop solve PATH ARGS`` in this process: (outcome, standard error). The outcome is
    ``accepted`` (exit 0), ``rejected`` (exit 2 with exactly one line ``symdrop: error: ...``),
    or ``crash`` (anything else: an exception, a traceback, more lines, another status)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["solve", str(path), *args])
    except BaseException as error:  # noqa: BLE001 (what the fuzzing looks for)
        return "crash", f"{type(error).__name__}: {str(error)[:200]}"
    text = err.getvalue()
    if status == 0 and text == "":
        return "accepted", text
    if status == 2 and text.startswith("symdrop: error: ") and text.count("\n") == 1 and text.endswith("\n"):
        return "rejected", text
    return "crash", f"status {status}: {text[:300]!r}"
