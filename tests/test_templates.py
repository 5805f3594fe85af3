"""User templates: `symdrop templates` writes the built-in ones; --templates DIR overrides them everywhere."""

from pathlib import Path


from symdrop import derive, example
from symdrop.cli import main
from symdrop.render.documents import render_figure, render_solution
from symdrop.render.diagram import draw
from symdrop.render.env import builtin_templates
from symdrop.render.options import RenderOptions

from .conftest import TUTORIAL

HEADER = "Department of Dropout, Autumn 2026"


def test_templates_command_writes_every_builtin_template(tmp_path, capsys):
    assert main(["templates", "--out", str(tmp_path / "mine")]) == 0
    builtin = sorted(p.relative_to(builtin_templates()) for p in builtin_templates().rglob("*.j2"))
    written = sorted(p.relative_to(tmp_path / "mine") for p in (tmp_path / "mine").rglob("*.j2"))
    assert written == builtin and len(builtin) >= 15
    for name in builtin:
        assert (tmp_path / "mine" / name).read_text() == (builtin_templates() / name).read_text()
    assert len(capsys.readouterr().out.splitlines()) == len(builtin)


def overridden(tmp_path: Path) -> Path:
    """A template folder as the README shows it: the department on every sheet page's head (the
    LaTeX preamble every sheet document includes) and above every worked solution (the one body
    both formats share)."""
    folder = tmp_path / "mine"
    assert main(["templates", "--out", str(folder)]) == 0
    preamble = folder / "latex" / "sheet-preamble.tex.j2"
    text = preamble.read_text()
    assert r"\def\@oddhead{\small \symdrop@left" in text
    preamble.write_text(text.replace(r"\def\@oddhead{\small \symdrop@left", rf"\def\@oddhead{{\small {HEADER} -- \symdrop@left"))
    solution = folder / "documents" / "solution.j2"
    lines = solution.read_text().splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.startswith(r"\VAR{ m.h1 % "))
    solution.write_text("".join(lines[: title + 1] + [f"{HEADER}\n", "\n"] + lines[title + 1 :]))
    for path in folder.rglob("*.j2"):  # only the two changed ones need stay: the rest fall back
        if path.name not in ("sheet-preamble.tex.j2", "solution.j2"):
            path.unlink()
    return folder


def test_an_override_shows_in_sheets_keys_and_solutions(tmp_path):
    folder = overridden(tmp_path)
    out = tmp_path / "out"
    assert main(["sheet", "--seed", "3", "--problems", "2", "--out", str(out), "--templates", str(folder)]) == 0
    for name in ("sheet.tex", "key.tex", "solutions.tex"):
        assert HEADER in (out / name).read_text(), name
    assert (out / "solutions.md").read_text().count(HEADER) == 2  # one per worked solution
    # and without --templates, the built-in ones
    plain = tmp_path / "plain"
    assert main(["sheet", "--seed", "3", "--problems", "2", "--out", str(plain)]) == 0
    assert all(HEADER not in p.read_text() for p in plain.iterdir() if p.is_file())
    assert (plain / "sheet.md").read_text() == (out / "sheet.md").read_text()  # not overridden


def test_every_rendering_command_takes_templates(tmp_path, capsys):
    folder = overridden(tmp_path)
    capsys.readouterr()  # the paths `symdrop templates` printed
    spec = tmp_path / "spec.yaml"
    spec.write_text(TUTORIAL.read_text())
    assert main(["solve", str(spec), "--templates", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(f"# Dropout toy example\n\n{HEADER}\n")
    assert main(["solve", str(spec), "--format", "latex", "--templates", str(folder)]) == 0
    latex = capsys.readouterr().out
    assert latex.index("\\section*") < latex.index(HEADER) < latex.index("We predict")
    assert main(["example", "--out", str(tmp_path / "ex"), "--templates", str(folder)]) == 0
    assert HEADER in (tmp_path / "ex" / "tutorial.md").read_text()
    assert HEADER in (tmp_path / "ex" / "tutorial.tex").read_text()
    capsys.readouterr()
    (folder / "documents" / "expect.j2").write_text(r"mean \VAR{e.exact_mean | compact}" + "\n")
    keep = tmp_path / "keep.yaml"
    keep.write_text(spec.read_text() + "dropout: {keep: '1/2'}\n")
    assert main(["expect", str(keep), "--templates", str(folder)]) == 0
    assert capsys.readouterr().out.startswith("mean ")


def test_a_missing_template_folder_is_one_line(tmp_path, capsys):
    assert main(["solve", "x.yaml", "--templates", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--templates" in err and "expected a folder" in err


def test_memoized_pictures_are_keyed_by_the_template_folders(tmp_path):
    """A picture rendered with the built-in templates must not stand in for an override's."""
    picture = draw(example())
    builtin = render_figure(picture, "latex")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "documents").mkdir()
    (folder / "documents" / "diagram.j2").write_text("my picture\n")
    assert render_figure(picture, "latex", RenderOptions(templates=(folder,))) == "my picture\n"
    assert render_figure(picture, "latex") == builtin


def test_the_api_takes_templates(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "documents").mkdir()
    (folder / "documents" / "solution.j2").write_text(r"y = \VAR{d.prediction | compact}" + "\n")
    assert derive(example()).to_latex(templates=[folder]) == "y = 7\n"
    assert render_solution(derive(example()), "latex", RenderOptions(templates=(folder,))) == "y = 7\n"


def test_every_comment_ends_where_it_was_meant_to():
    """A template comment, \\#{ ... }, ends at its first closing brace: one holding LaTeX with
    braces (\\hat{Y}, \\begin{document}) ended early, and its tail was printed into the document
    ("- T)[:, e] }" stopped pdflatex). No comment holds an opening brace."""
    import re

    early = []
    for path in sorted(builtin_templates().rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\\#\{", text):
            if "{" in text[match.end():text.index("}", match.end())]:
                early.append(f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}")
    assert early == []
