"""The command line's rough edges, as a new user meets them: the README's --range, -o FILE.pdf,
--version, the LICENSE, a spec to start from."""

import json
import re
import tomllib

import yaml

from symdrop.cli import main
from symdrop.exercises.kinds import KINDS

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


# A value starting with "-" is read as the value, and refused, if it must be, in one line naming it.
# The tutorial's answer is 7 (by hand: tests/test_moodle.py).
ONE_LINE = [
    (["solve", str(TUTORIAL), "-o", ""], 2, "", "symdrop: error: -o .: is a folder; expected a file name\n"),
    (["backprop", str(TUTORIAL), "-o", "/"], 2, "", "symdrop: error: -o /: is a folder; expected a file name\n"),
    (["check", str(TUTORIAL), "--answer", "-inf"], 2, "",
     "symdrop: error: --answer: expected a number like 7, -3/4, -0.75 or -0,75, got '-inf'\n"),
    (["check", str(TUTORIAL), "--answer", "--53"], 2, "",
     "symdrop: error: --answer: expected a number like 7, -3/4, -0.75 or -0,75, got '--53'\n"),
    (["check", str(TUTORIAL), "--answer", "-53"], 1, "Not correct: -53; the answer is 7.\n", ""),
    (["check", str(TUTORIAL), "--answer=-53"], 1, "Not correct: -53; the answer is 7.\n", ""),
    (["check", str(TUTORIAL), "--tolerance", "-1/10", "--answer", "7"], 0, "Correct: 7 is the answer.\n", ""),
]


def test_values_starting_with_a_minus_are_values_and_errors_one_line(capsys):
    for args, status, out, err in ONE_LINE:
        assert main(args) == status, args
        got = capsys.readouterr()
        assert (got.out[: len(out)], got.err) == (out, err), args


def test_a_key_entry_of_an_unknown_kind_is_one_line_naming_it(tmp_path, capsys):
    assert main(["sheet", "--seed", "1", "--problems", "1", "--format", "markdown", "--no-diagram",
                 "--out", str(tmp_path / "s")]) == 0
    key = json.loads((tmp_path / "s" / "key.json").read_text(encoding="utf-8"))
    key["problems"][0]["kind"] = "forwards"
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    code = key["problems"][0]["code"]
    (tmp_path / "answers.csv").write_text(f"student,code,y\ns1,{code},7\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["grade", "--key", str(tmp_path / "key.json"), "--answers", str(tmp_path / "answers.csv"),
                 "--out", str(tmp_path / "g")]) == 2
    assert capsys.readouterr().err == (f"symdrop: error: --key: problem '{code}': unknown kind 'forwards' (expected "
                                       f"one of {', '.join(KINDS)})\n")
    assert not (tmp_path / "g").exists()
