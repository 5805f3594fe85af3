"""End to end, as a user runs it: the commands, their files, determinism, a fresh install."""

import json
import shutil
import subprocess
import venv

import pytest

from symdrop.cli import main

from .conftest import ROOT, TUTORIAL, require_pdflatex, run_symdrop, write_spec


def test_example_writes_tex_and_md(tmp_path, capsys):
    assert main(["example", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["tutorial.md", "tutorial.svg", "tutorial.tex"]
    assert capsys.readouterr().out.splitlines() == [
        str(tmp_path / "out" / n) for n in ("tutorial.tex", "tutorial.md", "tutorial.svg")
    ]


def test_solve_json_shape_and_exact_strings(capsys):
    assert main(["solve", str(TUTORIAL), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "prediction": ["7"],
        "layers": [
            {"masked_input": ["1", "1"], "pre_activation": ["3", "1", "-2"], "activation": ["3", "1", "0"]},
            {"masked_input": ["3", "0", "0"], "pre_activation": ["4", "-4", "3"], "activation": ["4", "0", "3"]},
            {"masked_input": ["0", "0", "3"], "pre_activation": ["-1", "2"], "activation": ["0", "2"]},
            {"masked_input": ["0", "2"], "pre_activation": ["7"], "activation": ["7"]},
        ],
    }


def test_solve_fractions_in_json(tmp_path, capsys):
    spec = tmp_path / "p.yaml"
    spec.write_text("input: [0.5]\nlayers:\n  - {weights: [['-3/2']], bias: [0.1]}\nmasks: [[1]]\n")
    assert main(["solve", str(spec), "-o", str(tmp_path / "p.json")]) == 0
    # -3/2 * 1/2 + 1/10 = -13/20
    assert json.loads((tmp_path / "p.json").read_text())["prediction"] == ["-13/20"]


def test_solve_format_from_suffix(tmp_path):
    for name, start in (("s.tex", "% !TeX program = pdflatex\n\\documentclass"), ("s.md", "# Dropout toy example")):
        assert main(["solve", str(TUTORIAL), "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_text().lstrip().startswith(start)


def test_solve_pdf_needs_output(capsys):
    assert main(["solve", str(TUTORIAL), "--pdf"]) == 2
    assert "--pdf: expected -o FILE" in capsys.readouterr().err


def test_solve_pdf_beside_output(tmp_path):
    require_pdflatex()
    assert main(["solve", str(TUTORIAL), "-o", str(tmp_path / "s.md"), "--pdf"]) == 0
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "s.md").exists()


@pytest.mark.slow
def test_two_processes_write_byte_identical_files(tmp_path):
    require_pdflatex()
    for seed in (1, 2):
        run_symdrop("example", "--out", f"run{seed}", "--pdf", cwd=tmp_path, hashseed=seed, check=True)
        run_symdrop("solve", str(TUTORIAL), "--symbolic", "masks", "-o", f"run{seed}/masks.md", cwd=tmp_path, hashseed=seed,
                    check=True)
    names = sorted(p.name for p in (tmp_path / "run1").iterdir())
    assert names == ["masks.md", "masks.svg", "tutorial.md", "tutorial.pdf", "tutorial.svg", "tutorial.tex"]
    for name in names:
        assert (tmp_path / "run1" / name).read_bytes() == (tmp_path / "run2" / name).read_bytes(), name


def test_committed_pdf_is_current(tmp_path):
    """The gallery's PDF is what this code and this TeX make (it is deterministic)."""
    require_pdflatex()
    assert main(["example", "--out", str(tmp_path), "--pdf"]) == 0
    committed = ROOT / "output" / "tutorial.pdf"
    if (tmp_path / "tutorial.pdf").read_bytes() != committed.read_bytes():
        # Another TeX Live release may lay out the same source differently; the source must agree.
        assert (tmp_path / "tutorial.tex").read_bytes() == (ROOT / "output" / "tutorial.tex").read_bytes()


@pytest.mark.slow
def test_non_editable_install_in_a_fresh_venv_renders(tmp_path):
    """Templates ship in the wheel: a plain `pip install .` elsewhere still renders."""
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "output", "build", "*.egg-info", "__pycache__", ".venv",
                                                                 "node_modules"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", str(source)],
        check=True, capture_output=True,
    )
    shutil.rmtree(source)  # nothing may be read from the source tree any more
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [env_dir / "bin" / "symdrop", "example", "--out", "out"], cwd=work, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (work / "out" / "tutorial.tex").read_text() == (ROOT / "output" / "tutorial.tex").read_text()
    located = subprocess.run(
        [python, "-c", "import symdrop.templates as t; print(t.__file__)"], cwd=work, capture_output=True, text=True
    )
    assert str(env_dir) in located.stdout
    # every module of the package is in the wheel (a subpackage missing from pyproject is not)
    every = ("import importlib, json, pkgutil, symdrop; print(json.dumps(sorted(m.name for m in "
             "pkgutil.walk_packages(symdrop.__path__, 'symdrop.') if m.name != 'symdrop.__main__' "
             "and importlib.import_module(m.name))))")
    imported = subprocess.run([python, "-c", every], cwd=work, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    on_disk = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
               for p in (ROOT / "symdrop").rglob("*.py") if p.name != "__main__.py"} - {"symdrop"}
    assert on_disk <= set(json.loads(imported.stdout)), on_disk - set(json.loads(imported.stdout))
    checked = subprocess.run([env_dir / "bin" / "symdrop", "check", str(TUTORIAL),
                              "--answer", "7"], cwd=work, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_every_subpackage_ships():
    """pyproject lists every folder of the package that holds modules."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "symdrop").rglob("__init__.py")}
    assert folders <= listed, folders - listed


def test_ci_runs_exactly_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    command = "python3 -m pip install -e '.[test]' && python3 -m pytest -q"
    assert f"```sh\n{command}\n```" in readme
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith(command)


@pytest.mark.slow
def test_expect_and_test_mode_are_byte_identical_across_processes(tmp_path):
    spec = write_spec(tmp_path, {
        "input": [1, -1],
        "layers": [
            {"weights": [[1, 2], [-1, 1]], "bias": [0, 1], "activation": "sigmoid"},
            {"weights": [[1, -1]], "bias": [0], "activation": "tanh"},
        ],
        "masks": [[1, 0]],
        "dropout": {"convention": "weight-scaling", "keep": "2/3"},
    }, "s.json")
    for seed in (1, 2):
        run_symdrop("expect", str(spec), "--samples", "30", "-o", f"run{seed}/e.md", cwd=tmp_path, hashseed=seed, check=True)
        run_symdrop("expect", str(spec), "--symbolic-q", "-o", f"run{seed}/e.json", cwd=tmp_path, hashseed=seed, check=True)
        run_symdrop("solve", str(spec), "--mode", "test", "-o", f"run{seed}/t.tex", cwd=tmp_path, hashseed=seed, check=True)
    for name in ("e.md", "e.json", "t.tex"):
        assert (tmp_path / "run1" / name).read_bytes() == (tmp_path / "run2" / name).read_bytes(), name


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_examples_solve_in_both_modes_and_expect(example, capsys):
    for mode in ("train", "test"):
        assert main(["solve", str(example), "--mode", mode]) == 0
        assert "Dropout convention" in capsys.readouterr().out
    assert main(["expect", str(example), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"exact_mean", "approximation", "maskable_units"} <= set(data)
    if example.name == "weight-scaling-gap.yaml":  # by hand, in the file's comment
        assert (data["exact_mean"], data["approximation"]) == (["1/8"], ["0"])
