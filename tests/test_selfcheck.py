"""The self-check page's answers: read and written one canonical way by Python and by the page's
script alike (a table of inputs, each expected value written by hand), hashed, never in clear text."""

import base64
import hashlib
import json
import re
import shutil
import subprocess
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.render.canonical import FORMS, canonical, digest, grid, read
from symdrop.render.env import make_env

# (typed, canonical form or None where it cannot be read), by hand.
TABLE = [
    ("3", "3"), ("-3/4", "-3/4"), ("6/8", "3/4"), ("0.75", "3/4"), (".5", "1/2"), ("-.5", "-1/2"), ("1.", "1"),
    ("+2", "2"), ("(1, -3/2)", "1,-3/2"), ("[1; 2]", "1,2"), ("1 2", "1,2"), ("  ( 1 , 2 )  ", "1,2"),
    ("\N{MINUS SIGN}2", "-2"), ("0/5", "0"), ("-0", "0"), ("1/-2", "-1/2"), ("2/+4", "1/2"), ("-0.125", "-1/8"),
    ("10/4, 0.1", "5/2,1/10"), ("123456789012345678901234567890/2", "61728394506172839450617283945"),
    ("1/0", None), ("abc", None), ("", None), ("1e3", None), ("1.2.3", None), ("\u0661\u0662", None),
    ("1 - 2", None), ("()", None), ("1/2/3", None), ("0.5/2", "1/4"), ("--1", None), ("1,,2", "1,2"),
]
# (value, step, nearest grid point: floor(value/step + 1/2)), by hand.
GRIDS = [("0.65405", "1/10000", 6541), ("-0.65405", "1/10000", -6540), ("1/3", "1/100", 33), ("-1/3", "1/100", -33),
         ("0.005", "1/100", 1), ("-0.005", "1/100", 0), ("7", "1/2", 14)]


def node_results(tmp_path, calls: list) -> list:
    """The page's script run in Node on ``calls`` ([function, args...]): what each returns."""
    if shutil.which("node") is None:
        pytest.skip("node not installed (Debian: nodejs)")
    script = make_env().get_template("page/selfcheck.js.j2").render(tries=2, grid=10, forms=FORMS)
    driver = """
const calls = JSON.parse(process.argv[2]);
(async () => {
  const out = [];
  for (const [f, ...args] of calls) {
    if (f === "read") { const v = read(args[0]); out.push(v === null ? null : canonical(v)); }
    else if (f === "grid") { const [v] = read(args[0]), [s] = read(args[1]); out.push(String(grid(v, s))); }
    else out.push(await digest(...args));
  }
  console.log(JSON.stringify(out));
})();
"""
    path = tmp_path / "selfcheck.js"
    path.write_text(script + driver, encoding="utf-8")
    done = subprocess.run(["node", str(path), json.dumps(calls)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_python_and_the_page_read_and_hash_alike(tmp_path):
    python = [None if read(t) is None else canonical(read(t)) for t, _ in TABLE]
    assert python == [c for _, c in TABLE]
    assert [grid(read(v)[0], Fraction(s)) for v, s, _ in GRIDS] == [k for _, _, k in GRIDS]
    hashes = [("a1b2", "answer-3", "-3/4"), ("s", "answer-1#0", "g-6540"), ("ü", "x", "1,2")]
    calls = [["read", t] for t, _ in TABLE] + [["grid", v, s] for v, s, _ in GRIDS] + [["digest", *h] for h in hashes]
    js = node_results(tmp_path, calls)
    assert js[:len(TABLE)] == python
    assert js[len(TABLE):len(TABLE) + len(GRIDS)] == [str(k) for _, _, k in GRIDS]
    assert js[len(TABLE) + len(GRIDS):] == [hashlib.sha256(f"{s}|{n}|{t}".encode()).hexdigest() for s, n, t in hashes]
    assert [digest(*h) for h in hashes] == js[len(TABLE) + len(GRIDS):]


def test_the_page_holds_hashes_not_answers(tmp_path):
    """Each input's hash is the key's answer (key.json, read here as Fractions), the known
    mistakes' hashes are there with their labels, and Show answer decrypts to the answer."""
    assert main(["sheet", "--seed", "11", "--problems", "2", "--kinds", "forward,variance", "--format", "html",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "selfcheck.html").read_text(encoding="utf-8")
    key = json.loads((tmp_path / "key.json").read_text())["problems"]
    forms = {m.group(2): m.group(1) for m in re.finditer(r'(<form class="check"[^>]*data-name="([^"]+)"[^>]*>)', page)}
    assert set(forms) == {"answer-1", "answer-2-1", "answer-2"}  # variance: E[S], then Var(S)
    for entry, names in zip(key, (["answer-1"], ["answer-2-1", "answer-2"])):
        salt = salt_of(key_seed(tmp_path), entry["code"])  # an exercise's seed is its sheet's
        for name, value in zip(names, entry["answer"]):
            form = forms[name]
            text = str(Fraction(value))
            assert f'data-right="{hashlib.sha256(f"{salt}|{name}|{text}".encode()).hexdigest()}"' in form
            assert f'data-salt="{salt}"' in form
            secret = base64.b64decode(re.search(r'data-reveal="([^"]*)"', form).group(1))
            stream = hashlib.sha256(f"{salt}|{name}|reveal|0".encode()).digest()
            assert bytes(a ^ b for a, b in zip(secret, stream)).decode() == value
            assert f'"{value}"' not in page and f">{value}<" not in page.split("<form")[1]
    first = key[0]
    for mistake in first["mistakes"]:
        text = str(Fraction(mistake["answer"][0]))
        assert hashlib.sha256(f"{salt_of(key_seed(tmp_path), first['code'])}|answer-1|{text}".encode()).hexdigest() in page


def key_seed(tmp_path) -> int:
    return json.loads((tmp_path / "key.json").read_text())["seed"]


def salt_of(seed, code) -> str:
    return hashlib.sha256(f"symdrop self-check|{seed}|{code}".encode()).hexdigest()[:16]
