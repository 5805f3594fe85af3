"""Benchmark: sigmoid and tanh networks within the documented limits (issue 26), every command timed.

Run from the repository root: ``python benchmarks/smooth_work.py``. The issue's cases (six sigmoid
layers of 4 units; fifteen tanh layers of 16; one sigmoid layer among fifteen ReLU layers of 16;
16 inputs through five sigmoid layers of 16; a 3-4-4-2 sigmoid network with inverted dropout,
keep 0.8 and decimals such as 0.1) each go through every command: solve (Markdown, LaTeX, JSON),
solve --mode test, backprop (and --step 0.1), expect, moments, verify and check. ``--calibrate``
runs the same commands on networks whose passes come close to the limit on exact values
(:data:`symdrop.limits.MAX_CLOSED_FORM`), the worst cases the limit lets through; ``--only NAME``
runs one case.

Each command runs in a new Python process: "process" is its whole wall time (start-up, imports,
the command: what ``symdrop ...`` takes), "main" the command alone (``symdrop.cli.main`` in that
process), "cpu" the process's user and system time (the machine is shared: wall time varies, CPU
time less). A command that refuses shows its one line. The script exits non-zero if any command
takes more than 10 s of CPU time, fails in any other way than a one-line refusal, or writes a
traceback.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_SECONDS = 10.0

RUNNER = """
import json, sys, time
start = time.perf_counter()
from symdrop.cli import main
imported = time.perf_counter()
status = main(sys.argv[1:])
print(json.dumps({"status": status, "import": imported - start, "main": time.perf_counter() - imported}),
      file=sys.__stdout__)
"""


def network(sizes, activations, *, seed=1, decimals=False, keep="4/5", convention="inverted"):
    """A spec of random weights (n/d with n in -9..9, or one-digit decimals 0.1 .. 0.9 of either
    sign), the masks of a seeded draw (every input kept), dropout with ``keep`` and a target."""
    rng = random.Random(seed)

    def number():
        if decimals:
            return f"{rng.choice(('', '-'))}0.{rng.randint(1, 9)}"
        return f"{rng.randint(-9, 9)}/{rng.choice((1, 2, 4))}"

    layers = [{"weights": [[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])],
               "bias": [number() for _ in range(sizes[l])], "activation": activations[l - 1]}
              for l in range(1, len(sizes))]
    masks = [[1] * sizes[0]] + [[int(rng.random() < 0.8) for _ in range(n)] for n in sizes[1:-1]]
    spec = {"input": [number() for _ in range(sizes[0])], "layers": layers, "masks": masks,
            "target": [number() for _ in range(sizes[-1])]}
    if keep is not None:
        spec["dropout"] = {"convention": convention, "keep": keep}
    return spec


CASES = {  # the cases, as it describes them
    "six sigmoid layers of 4": network([2, 4, 4, 4, 4, 4, 4, 1], ["sigmoid"] * 6 + ["identity"]),
    "fifteen tanh layers of 16": network([2] + [16] * 15 + [1], ["tanh"] * 15 + ["identity"]),
    "one sigmoid among ReLU, 16 layers of 16": network(
        [16] * 16 + [1], ["relu"] * 7 + ["sigmoid"] + ["relu"] * 7 + ["identity"]),
    "16 inputs, five sigmoid layers of 16": network([16] * 6 + [1], ["sigmoid"] * 5 + ["identity"]),
    "3-4-4-2 sigmoid, keep 0.8, decimals": network([3, 4, 4, 2], ["sigmoid", "sigmoid", "identity"],
                                                   decimals=True, keep="0.8"),
}

COMMANDS = {
    "solve .md": ["solve", "{spec}", "-o", "{out}/s.md"],
    "solve .tex": ["solve", "{spec}", "-o", "{out}/s.tex"],
    "solve json": ["solve", "{spec}", "--format", "json", "-o", "{out}/s.json"],
    "solve --mode test": ["solve", "{spec}", "--mode", "test", "-o", "{out}/t.md"],
    "backprop": ["backprop", "{spec}", "-o", "{out}/b.md"],
    "backprop json": ["backprop", "{spec}", "--format", "json", "-o", "{out}/b.json"],
    "backprop --step": ["backprop", "{spec}", "--step", "0.1", "-o", "{out}/st.md"],
    "expect": ["expect", "{spec}", "-o", "{out}/e.md"],
    "moments": ["moments", "{plain}", "-o", "{out}/m.md"],  # without the target (refused behind smooth layers)
    "verify": ["verify", "{spec}"],
    "check": ["check", "{spec}", "--answer", "{zeros}"],  # a wrong answer: every mistake's pass is run
}


def run(argv: list[str]) -> dict:
    """One command in a new process: its times, status and the first line it wrote on standard error."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, *argv], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    lines = done.stdout.strip().splitlines()
    timing = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"status": done.returncode,
                                                                                  "main": float("nan")}
    err = done.stderr.strip().splitlines()
    return {"wall": wall, "cpu": cpu, "main": timing["main"], "status": timing["status"],
            "error": err[0] if err else "", "traceback": "Traceback" in done.stderr}


def closed_form_sizes(spec: dict) -> dict:
    """The parts the limit counts in each pass (see symdrop/core/budget.py), counted here up to
    twice the limit (a pass beyond that is left out): the forward passes of training, without
    dropout and at test time, the backward pass, and the step (its new weights and its pass)."""
    import sympy

    from symdrop import parse_spec
    from symdrop import limits
    from symdrop.core import budget
    from symdrop.core.backward import backward, step
    from symdrop.core.forward import forward
    from symdrop.errors import SymdropError

    def size(values) -> int:
        sizes = {}
        return sum(budget.written_size(v, sizes) for v in values if not getattr(v, "is_Rational", True))

    limit = limits.MAX_CLOSED_FORM
    limits.MAX_CLOSED_FORM = 2 * limit
    counted = {}
    try:
        net = parse_spec(spec)
        for mode in ("train", "off", "test"):
            counted[mode] = size(v for p in forward(net, mode) for v in p.a)
        gradients = backward(net)
        counted["backward"] = size(v for g in gradients.layers for row in (g.delta, *g.grad_weights) for v in row)
        after = step(gradients, sympy.Rational(1, 10))
        weights = size(v for layer in after.layers for m in (layer.W, layer.b) for v in m)
        if weights <= 2 * limit:
            counted["step"] = weights + size(v for p in forward(after, terms=False, count=False) for v in p.a)
    except SymdropError:
        pass
    finally:
        limits.MAX_CLOSED_FORM = limit
    return counted


# For each command the passes it makes, and the limit each is held to (symdrop/limits.py).
PASSES = {"solve": {"train": "MAX_CLOSED_FORM", "off": "MAX_CLOSED_FORM", "test": "MAX_CLOSED_FORM"},
          "backprop": {"train": "MAX_CLOSED_FORM", "off": "MAX_CLOSED_FORM", "test": "MAX_CLOSED_FORM",
                       "backward": "MAX_CLOSED_FORM"},
          "backprop --step": {"train": "MAX_CLOSED_FORM", "off": "MAX_CLOSED_FORM", "test": "MAX_CLOSED_FORM",
                              "backward": "MAX_CLOSED_FORM", "step": "MAX_STEP_CLOSED_FORM"},
          "expect": {"off": "MAX_MEAN_CLOSED_FORM"}, "moments": {"off": "MAX_MEAN_CLOSED_FORM"}}


def calibration_cases() -> dict:
    """For solve, backprop, backprop --step and expect, the networks that come closest to the
    limits on exact values without passing them (the worst cases they let through): sigmoid or
    tanh hidden layers of 2 to 8 units, 2 to 8 of them deep, inverted dropout (keep 4/5, and for
    expect also keep 1: a single mask), three draws of weights and masks each."""
    from symdrop import limits

    best = {}
    for g in ("sigmoid", "tanh"):
        for width in (2, 3, 4, 5, 6, 8):
            for depth in range(2, 9):
                for seed, keep in ((0, "4/5"), (1, "4/5"), (2, "4/5"), (3, "1")):
                    sizes = [3] + [width] * depth + [2]
                    spec = network(sizes, [g] * depth + ["identity"], seed=100 * seed + 10 * width + depth, keep=keep)
                    if keep == "1":
                        spec["masks"] = [[1] * n for n in sizes[:-1]]
                    counted = closed_form_sizes(spec)
                    for command, passes in PASSES.items():
                        if keep == "1" and command != "expect" or not all(p in counted for p in passes):
                            continue
                        shares = [counted[p] / getattr(limits, limit) for p, limit in passes.items()]
                        if max(shares) <= 1 and max(shares) > best.get((command, g, keep), (0,))[0]:
                            worst = max(passes, key=lambda p: counted[p] / getattr(limits, passes[p]))
                            best[command, g, keep] = (max(shares), f"{g} {'-'.join(map(str, sizes))} keep {keep}",
                                                      f"{command}: {worst} {counted[worst]:,}", spec)
    named = {}  # one run per network, however many commands it is the worst case of
    for _, name, why, spec in best.values():
        key = json.dumps(spec, sort_keys=True)
        named.setdefault(key, (name, [], spec))[1].append(why)
    return {f"{name} ({'; '.join(whys)})": spec for name, whys, spec in named.values()}


def main() -> int:
    cases = calibration_cases() if "--calibrate" in sys.argv else CASES
    if "--only" in sys.argv:
        wanted = sys.argv[sys.argv.index("--only") + 1]
        cases = {name: spec for name, spec in cases.items() if wanted in name}
    failures = 0
    print(f"{'command':<20}{'process s':>10}{'main s':>8}{'cpu s':>8}  result")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for name, spec in cases.items():
            print(f"\n{name}")
            path, plain = out / "spec.json", out / "plain.json"
            path.write_text(json.dumps(spec), encoding="utf-8")
            plain.write_text(json.dumps({k: v for k, v in spec.items() if k != "target"}), encoding="utf-8")
            for command, argv in COMMANDS.items():
                zeros = "; ".join("0" for _ in spec["layers"][-1]["bias"])
                result = run([a.format(spec=path, plain=plain, out=out, zeros=zeros) for a in argv])
                refused = result["status"] == 2 and result["error"].startswith("symdrop: error:")
                ok = (result["status"] in (0, 1) or refused) and not result["traceback"]
                slow = result["cpu"] > LIMIT_SECONDS
                failures += slow or not ok
                said = result["error"][len("symdrop: error: "):] if refused else ("ok" if ok else result["error"])
                print(f"{command:<20}{result['wall']:>10.2f}{result['main']:>8.2f}{result['cpu']:>8.2f}"
                      f"  {'SLOW ' if slow else ''}{said[:200]}", flush=True)
    print("\nevery command finished or refused within the limit" if not failures else f"\n{failures} FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
