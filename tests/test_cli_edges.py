"""The command line's rough edges, as a new user meets them: the README's --range, -o FILE.pdf,
--version, the LICENSE, a spec to start from."""

import json
import re
import subprocess
import sys
import tomllib

import pytest
import yaml

from symdrop.cli import main

from .conftest import ROOT, TUTORIAL, pdf_text, require_pdflatex, run_symdrop


def test_readme_range_form_works_as_written(tmp_path):
    """README: `symdrop sheet ... [--range -3..3]`: a negative bound without `=` is a value."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[--range -3..3]" in readme
    done = run_symdrop("sheet", "--range", "-3..3", "--problems", "2", "--seed", "3", "--format", "markdown",
                       "--no-diagram", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    key = json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))
    assert key["options"]["range"] == "-3..3"
    numbers = [int(v) for e in key["problems"] for row in e["spec"]["layers"][0]["weights"] for v in row]
    assert all(-3 <= v <= 3 for v in numbers)
    narrow = run_symdrop("sheet", "--range", "-5..-1", "--stats", "1")  # both bounds negative: still values
    assert "expected one argument" not in narrow.stderr and "-5..-1" in narrow.stdout + narrow.stderr


def test_output_pdf_alone_writes_the_pdf(tmp_path, capsys):
    """`solve SPEC -o sol.pdf` (no --pdf) writes the PDF; so do expect and backprop."""
    require_pdflatex()
    assert main(["solve", str(TUTORIAL), "-o", str(tmp_path / "sol.pdf")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sol.pdf"]
    pdf = (tmp_path / "sol.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "Dropout toy example" in pdf_text(pdf, tmp_path)
    assert main(["expect", str(ROOT / "examples" / "weight-scaling-gap.yaml"), "-o", str(tmp_path / "mean.pdf")]) == 0
    assert (tmp_path / "mean.pdf").read_bytes().startswith(b"%PDF")
    assert str(tmp_path / "mean.pdf") in capsys.readouterr().out


def test_version_is_the_package_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = run_symdrop("--version")
    assert done.returncode == 0 and done.stdout == f"symdrop {version}\n"


# Every command's --help and an argument error, in one fresh process, then what it imported.
HELP_ONLY = """
import contextlib, io, json, sys
from symdrop.launch import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    statuses = []
    for args in (["--help"], *([c, "--help"] for c in sys.argv[1:]), ["solve"], ["sheet", "--problems", "x"]):
        try:
            main(args)
        except SystemExit as done:
            statuses.append(done.code)
heavy = sorted(m for m in ("sympy", "jinja2", "importlib.metadata", "symdrop.exercises.kinds") if m in sys.modules)
print(json.dumps({"statuses": statuses, "heavy": heavy, "help": out.getvalue()}))
"""


def test_help_and_argument_errors_load_neither_sympy_nor_templates():
    """`symdrop --help`, each command's --help and a bad argument only build the parser: SymPy, Jinja
    and the package metadata (--version's) stay unloaded, and the sheet's help still lists every kind."""
    from symdrop.cli import _parser
    from symdrop.exercises.kinds import KINDS

    commands = list(_parser()._subparsers._group_actions[0].choices)
    done = subprocess.run([sys.executable, "-c", HELP_ONLY, *commands], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout)
    assert seen["statuses"] == [0] * (1 + len(commands)) + [2, 2] and len(commands) == 11
    assert seen["heavy"] == []
    assert all(name in " ".join(seen["help"].split()) for name in KINDS)


def test_license_is_mit_as_pyproject_says():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and re.search(r"Copyright \(c\) \d{4} the symdrop authors", text)
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_example_spec_is_a_spec_to_start_from(tmp_path, capsys):
    assert main(["example", "--spec"]) == 0
    text = capsys.readouterr().out
    assert text == TUTORIAL.read_text(encoding="utf-8")
    # the tutorial's network by hand: W, b of layer 1 and the masks as docs/dropout.md writes them
    spec = yaml.safe_load(text)
    assert spec["layers"][0]["weights"] == [[1, 2], [-1, 1], [2, -3]] and spec["masks"][1] == [1, 0, 1]
    assert main(["example", "--spec", "-o", str(tmp_path / "mine.yaml")]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'mine.yaml'}\n"  # the path written, as every command prints it
    assert main(["solve", str(tmp_path / "mine.yaml"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["prediction"] == ["7"]  # the tutorial's y, by hand
    assert main(["example", "-o", str(tmp_path / "x.yaml")]) == 2
    assert capsys.readouterr().err == "symdrop: error: -o: expected --spec (the worked example goes into --out DIR)\n"
    assert not (tmp_path / "x.yaml").exists()


def test_test_extra_is_light_and_ci_brings_torch_itself():
    """The README's test command installs no torch (an ordinary machine would fetch the CUDA
    build); .ci/run installs the pinned torch before running that command."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert not any(d.startswith("torch") for d in extras["test"]) and extras["torch"] == ["torch>=2.0"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m pip install -e '.[test]' && python3 -m pytest -q"
    assert "python3 -m pip install 'torch==2.13.0'" in ci
    assert ci.index("python3 -m pip install 'torch==2.13.0'") < ci.index(command)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in readme
    assert "symdrop[torch]" not in readme


def readme_blocks(language: str) -> list[str]:
    """The README's fenced code blocks of ``language`` (```python ... ```), in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", readme, flags=re.S | re.M)


def test_every_python_block_of_the_readme_runs_as_written(tmp_path, monkeypatch):
    """A new user pastes the README's Python into an empty folder: every block runs (sh blocks
    install and build, and are not run here). The tutorial's test-time pass with inverted dropout
    (no masks, no scaling) is the plain pass, 27 by hand: z1 = (3, 1, -2), a1 = (3, 1, 0),
    z2 = (3, -3, 4), a2 = (3, 0, 4), a3 = (1, 9), y = -1 + 27 + 1."""
    blocks = readme_blocks("python")
    assert blocks, "the README has Python blocks"
    monkeypatch.chdir(tmp_path)
    for number, block in enumerate(blocks, start=1):
        namespace = {"__name__": f"readme_block_{number}"}
        exec(compile(block, f"README.md python block {number}", "exec"), namespace)
    import sympy
    assert namespace["symdrop"].derive(namespace["trained"], mode="test").prediction == sympy.Matrix([[27]])


def test_readme_names_every_file_and_folder_sheet_writes(tmp_path, capsys):
    """What a class set with --split leaves in DIR (its documents, key.json and key.csv, the
    Markdown's pictures in figures/, students/) is each named in the README's section on sheets."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exercise sheets and class sets", 1)[1].split("\n## ", 1)[0]
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\ns1,Ann\ns2,Bo\n", encoding="utf-8")
    out = tmp_path / "hw"
    assert main(["sheet", "--roster", str(roster), "--split", "--seed", "1", "--out", str(out)]) == 0
    written = sorted(out.iterdir())
    assert {p.name for p in written} >= {"figures", "students", "key.csv", "key.json", "sheet.md", "sheet.tex"}
    for path in written:
        name = f"`{path.name}/" if path.is_dir() else f"`{path.name}`"
        assert name in section or f"`{path.stem}`" in section, name


@pytest.mark.parametrize("args, usage, said", [
    (["solve", "SPEC", "--fromat", "json"], "usage: symdrop solve ",
     "symdrop solve: error: unrecognized arguments: --fromat json (did you mean --format?)\n"),
    (["sheet", "--problmes", "3"], "usage: symdrop sheet ",
     "symdrop sheet: error: unrecognized arguments: --problmes 3 (did you mean --problems?)\n"),
    (["check", "SPEC", "--answer", "7", "--hide-anwser"], "usage: symdrop check ",
     "symdrop check: error: unrecognized arguments: --hide-anwser (did you mean --hide-answer?)\n"),
    (["solve", "SPEC", "extra.yaml"], "usage: symdrop solve ", "symdrop solve: error: unrecognized arguments: extra.yaml\n"),
])
def test_a_mistyped_option_is_refused_by_its_command_naming_the_nearest(args, usage, said, capsys):
    """A typo in an option was refused with the top-level usage (symdrop [-h] [--version] COMMAND ...),
    which lists no option: the command's own usage and the option meant are what a newcomer needs."""
    with pytest.raises(SystemExit) as caught:
        main([str(TUTORIAL) if a == "SPEC" else a for a in args])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and err.startswith(usage) and err.endswith(said)


@pytest.mark.parametrize("args, said", [
    (["--seed", "3", "sheet"], "--seed comes before the command; a command's options go after it: symdrop sheet --seed 3 ..."),
    (["--bogus", "sheet", "--problems", "2"],
     "--bogus comes before the command; a command's options go after it: symdrop sheet --bogus ..."),
    (["-o", "x.md", "example"], "-o comes before the command; a command's options go after it: symdrop example -o x.md ..."),
    (["--seed", "3"], "--seed comes before the command; a command's options go after it: symdrop COMMAND --seed 3 ... "
     "(a command: example, solve, sheet, backprop, check, grade, expect, moments, verify, templates, lint-export)"),
])
def test_an_option_before_the_command_is_refused_saying_where_it_goes(args, said, capsys):
    """symdrop --seed 3 sheet read "3" as the command ("invalid choice: '3'"), and symdrop --bogus
    sheet blamed sheet, suggesting --out: the option is in the wrong place, and the message says so."""
    with pytest.raises(SystemExit) as caught:
        main(args)
    err = capsys.readouterr().err
    assert caught.value.code == 2 and err.startswith("usage: symdrop [-h] [--version] COMMAND")
    assert err.endswith(f"symdrop: error: {said}\n"), err


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h", "sheet"]])
def test_help_and_version_still_come_first(args, capsys):
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 0 and capsys.readouterr().out.startswith(("symdrop ", "usage: symdrop"))
