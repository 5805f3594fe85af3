"""Users' templates (--templates DIR) are rendered in the sandbox: no code runs, no file outside DIR
is read, every template error is one line naming the file and line (exit 2, nothing written), and
a file that replaces no built-in template is warned about. The built-in templates, copied into a
folder, render exactly as they do built in."""

import shutil

import pytest

from symdrop import derive, example
from symdrop.cli import main
from symdrop.errors import RenderError
from symdrop.render.env import builtin_templates

from .conftest import ALL_KINDS, TUTORIAL


def folder_with(tmp_path, text: str, name: str = "documents/solution.j2"):
    """A template folder holding one template, ``name``, of ``text``."""
    path = tmp_path / "mine" / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return tmp_path / "mine", path


def solve_with(tmp_path, capsys, folder, *extra: str):
    """``symdrop solve`` of the tutorial into tmp_path/out/s.md with the folder: (status, stderr)."""
    status = main(["solve", str(TUTORIAL), "-o", str(tmp_path / "out" / "s.md"), "--templates", str(folder), *extra])
    return status, capsys.readouterr().err


def code(marker) -> str:
    """Python that, run, creates ``marker``: what SymPy's parser would run, given it as text."""
    return f"__import__('pathlib').Path('{marker}').touch()"


# Each a template's line that would run code (or reach the shell) were it not for the sandbox.
RUNS_CODE = {
    "globals of a function": lambda m: '\\VAR{ cycler.__init__.__globals__.os.popen("touch %s").read() }' % m,
    "sympy method with text": lambda m: '\\VAR{ d.prediction.equals("%s") }' % code(m),
    "sympy method with text in a mapping": lambda m: '\\VAR{ d.prediction.subs({"%s": 1}) }' % code(m),
    "filter of a constant (Jinja computes it while compiling)": lambda m: '\\VAR{ "%s" | approx }' % code(m),
    "filter of a variable": lambda m: '\\BLOCK{ set s = "%s" }\\VAR{ s | decimal }' % code(m),
    "matrix of text": lambda m: '\\VAR{ ["%s"] | matrix }' % code(m),
    "test of text": lambda m: '\\VAR{ "%s" is irrational }' % code(m),
    "a module reached": lambda m: '\\VAR{ self._TemplateReference__context.environment }',
}


@pytest.mark.parametrize("case", RUNS_CODE, ids=list(RUNS_CODE))
def test_a_template_runs_no_code(case, tmp_path, capsys):
    marker = tmp_path / "ran"
    folder, path = folder_with(tmp_path, "# Title\n\n" + RUNS_CODE[case](marker) + "\n")
    status, err = solve_with(tmp_path, capsys, folder)
    assert not marker.exists()
    assert status == 2 and err.startswith(f"symdrop: error: {path}, line 3: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_what_a_template_may_do_it_does(tmp_path, capsys):
    # The tutorial's prediction by hand: a1 = (3, 1, 0), masked (3, 0, 0); a2 = (4, 0, 3), masked
    # (0, 0, 3); a3 = (0, 2), masked (0, 2); y = -1*0 + 3*2 + 1 = 7.
    # m.text escapes Markdown.
    folder, _ = folder_with(tmp_path, '\\VAR{ "{} and {}".format(1, 2) } \\VAR{ d.prediction | compact } '
                                      '\\VAR{ d.prediction.T.shape[1] } \\BLOCK{ set ns = namespace(n=0) }'
                                      '\\BLOCK{ for i in range(3) }\\BLOCK{ set ns.n = ns.n + i }\\BLOCK{ endfor }'
                                      '\\VAR{ ns.n } \\VAR{ m.text("a_b") } \\VAR{ 2 ** 10 } \\VAR{ "ab" * 3 }\n')
    assert solve_with(tmp_path, capsys, folder) == (0, "")
    assert (tmp_path / "out" / "s.md").read_text() == "1 and 2 7 1 3 a_b 1024 ababab\n"  # md escapes only where Markdown would act (an _ inside a word does not)


# Each error a template can make, on its line 3, and the end of the one line that says so.
ERRORS = {
    "syntax": ("\\BLOCK{ if }", "syntax error: Expected an expression, got 'end of statement block'"),
    "undefined variable": ("\\VAR{ seedd }", "'seedd' is undefined"),
    "division by zero": ("\\VAR{ 1 / 0 }", "ZeroDivisionError: division by zero"),
    "recursion": ("\\BLOCK{ macro f() }\\VAR{ f() }\\BLOCK{ endmacro }\\VAR{ f() }",
                  "recursion too deep (a macro or include that calls itself without end)"),
    "memory": ('\\VAR{ "x".ljust(10**16) }', "out of memory"),  # 10 PB: beyond any address space
    "sandbox": ("\\VAR{ ().__class__ }", "not allowed in a template: access to attribute '__class__' of 'tuple' "
                                         "object is unsafe."),
    "missing include": ('\\BLOCK{ include "latex/mine.j2" }', "no template 'latex/mine.j2' in the folders or built in"),
    "power": ("\\VAR{ 10 ** (10 ** 10) }", "not allowed in a template: a power of more than 100,000 bits"),
    "repetition": ('\\VAR{ "ab" * 10**9 }',
                   "not allowed in a template: a text or list repeated to more than 1,000,000 entries"),
    "a function": ("\\VAR{ range.__call__ }", "not allowed in a template: access to attribute '__call__' of "
                                              "'function' object is unsafe."),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_a_template_error_is_one_line_naming_the_file_and_line(case, tmp_path, capsys):
    line, message = ERRORS[case]
    folder, path = folder_with(tmp_path, f"# Title\n\n{line}\n")
    status, err = solve_with(tmp_path, capsys, folder)
    assert (status, err) == (2, f"symdrop: error: {path}, line 3: {message}\n")
    assert not (tmp_path / "out").exists()


def test_an_error_in_a_built_in_template_names_the_users_line_that_reached_it(tmp_path, capsys):
    folder, path = folder_with(tmp_path, "# Title\n\n\\VAR{ m.header_rule(5) }\n")  # a number, not columns
    macros = (builtin_templates() / "markdown" / "macros.j2").read_text().splitlines()
    line = next(i for i, text in enumerate(macros, 1) if "macro header_rule(" in text)
    status, err = solve_with(tmp_path, capsys, folder)
    assert (status, err) == (2, f"symdrop: error: the built-in template markdown/macros.j2, line {line} (from {path}, "
                                f"line 3): TypeError: 'int' object is not iterable\n")


def test_a_link_out_of_the_folder_is_refused_naming_it(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("the department's password\n")
    folder = tmp_path / "mine"
    (folder / "documents").mkdir(parents=True)
    link = folder / "documents" / "solution.j2"
    link.symlink_to(secret)
    status, err = solve_with(tmp_path, capsys, folder)
    assert (status, err) == (2, f"symdrop: error: --templates: {link} is a symbolic link leading out of the folder "
                                f"(to {secret}); a template folder may hold links only to its own files\n")
    with pytest.raises(RenderError, match="symbolic link leading out of the folder"):  # the API reads no link either
        derive(example()).to_markdown(templates=[folder])
    link.unlink()
    (folder / "latex").symlink_to(tmp_path, target_is_directory=True)  # a folder leading out
    assert solve_with(tmp_path, capsys, folder)[1].startswith(f"symdrop: error: --templates: {folder / 'latex'} is a "
                                                              f"symbolic link leading out")
    (folder / "latex").unlink()
    (folder / "documents" / "real.j2").write_text("inside\n")
    link.symlink_to(folder / "documents" / "real.j2")  # a link inside the folder is a file of it
    status, err = solve_with(tmp_path, capsys, folder)
    assert status == 0 and (tmp_path / "out" / "s.md").read_text() == "inside\n"


def test_a_template_folder_that_is_not_there_is_refused_from_python_too(tmp_path):
    # a mistyped folder was taken for an empty one: the built-in templates rendered, with no word
    d = derive(example())
    for folder in (tmp_path / "mien", tmp_path / "file.j2"):
        if folder.suffix:
            folder.write_text("not a folder\n")
        with pytest.raises(RenderError, match=f"templates {folder}: expected a folder of templates"):
            d.to_markdown(templates=[folder])
        with pytest.raises(RenderError, match="expected a folder of templates"):
            d.to_latex(templates=[str(folder)])


def test_a_file_that_replaces_no_built_in_template_is_warned_about(tmp_path, capsys):
    folder, _ = folder_with(tmp_path, "\\def\\x{1}\n", name="sheet-preamble.tex.j2")  # not in latex/
    status, err = solve_with(tmp_path, capsys, folder)
    assert status == 0
    assert err == (f"symdrop: warning: --templates {folder}: sheet-preamble.tex.j2 replaces no built-in template "
                   "(nearest: latex/sheet-preamble.tex.j2, latex/preamble.tex.j2); only a template that includes "
                   "it uses it\n")


def copied(tmp_path):
    folder = tmp_path / "all"
    shutil.copytree(builtin_templates(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


def test_the_built_in_templates_copied_render_the_same_solutions(tmp_path, capsys):
    folder = copied(tmp_path)
    for fmt in ("latex", "moodle"):
        assert main(["solve", str(TUTORIAL), "--format", fmt]) == 0
        builtin = capsys.readouterr()
        assert main(["solve", str(TUTORIAL), "--format", fmt, "--templates", str(folder)]) == 0
        assert capsys.readouterr() == builtin  # and no warning: every file replaces its built-in one


@pytest.mark.slow
def test_the_built_in_templates_copied_render_the_same_sheets(tmp_path, capsys):
    folder = copied(tmp_path)
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\ns1,Ana\ns2,Bo\n", encoding="utf-8")
    args = ["sheet", "--seed", "5", "--kinds", ALL_KINDS, "--format", "latex,markdown,moodle,gift,qti", "--parts"]
    for extra in (["--problems", "9"], ["--roster", str(roster), "--problems", "2", "--split"]):
        assert main([*args, *extra, "--out", str(tmp_path / "builtin")]) == 0
        assert main([*args, *extra, "--out", str(tmp_path / "copied"), "--templates", str(folder)]) == 0
        capsys.readouterr()
        builtin = sorted(p.relative_to(tmp_path / "builtin") for p in (tmp_path / "builtin").rglob("*") if p.is_file())
        assert builtin == sorted(p.relative_to(tmp_path / "copied") for p in (tmp_path / "copied").rglob("*") if p.is_file())
        for name in builtin:
            assert (tmp_path / "builtin" / name).read_bytes() == (tmp_path / "copied" / name).read_bytes(), name
        shutil.rmtree(tmp_path / "builtin")
        shutil.rmtree(tmp_path / "copied")
