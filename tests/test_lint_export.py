"""lint-export reads the exports back and grades them as their targets do: a good sheet's exports
pass; a tolerance widened to take a mistake, a changed key and a repeated variant each fail,
naming the item; unreadable input is one line."""

import io
import re
import zipfile

import pytest

from symdrop.cli import main


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("lint") / "sheet"
    assert main(["sheet", "--seed", "4", "--problems", "3", "--kinds", "forward,backprop,ensemble",
                 "--format", "qti21", "--out", str(out)]) == 0
    return out


def rewrite(folder, change) -> dict[str, bytes]:
    """qti21.zip of ``folder`` with each item's text passed through ``change(name, text, files)``."""
    path = folder / "qti21.zip"
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    for name in [n for n in files if n.startswith("item_")]:
        files[name] = change(name, files[name].decode("utf-8"), files).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return files


def lint(folder, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    status = main(["lint-export", str(folder)])
    return status, [line for line in capsys.readouterr().out.splitlines() if "FAIL" in line]


def test_a_good_export_passes_and_corrupted_ones_fail_naming_the_item(exported, tmp_path, capsys):
    status, failed = lint(exported, capsys)
    assert (status, failed) == (0, [])
    folder = tmp_path / "x"
    import shutil

    first = sorted(n for n in zipfile.ZipFile(exported / "qti21.zip").namelist() if n.startswith("item_"))[0]
    ident = first.removesuffix(".xml")
    # A tolerance widened: every mistake's number of the first item is taken for the key's.
    shutil.copytree(exported, folder)
    rewrite(folder, lambda n, t, f: t.replace('toleranceMode="exact"', 'toleranceMode="absolute" tolerance="1000"')
            if n == first else t)
    status, failed = lint(folder, capsys)
    assert status == 1 and failed and all(ident in line and "mistake" in line for line in failed)
    # The key changed (its decimal and the condition that scores it): the exact key no longer scores.
    shutil.rmtree(folder)
    shutil.copytree(exported, folder)
    rewrite(folder, lambda n, t, f: re.sub(r'(<baseValue baseType="float">)([^<]*)(</baseValue>)',
                                           lambda m: m.group(1) + str(float(m.group(2)) + 0.5) + m.group(3), t, count=1)
            if n == first else t)
    status, failed = lint(folder, capsys)
    assert status == 1 and any(ident in line and " key " in line for line in failed)
    # A repeated variant: the second item asks what the first does.
    shutil.rmtree(folder)
    shutil.copytree(exported, folder)
    second = sorted(n for n in zipfile.ZipFile(exported / "qti21.zip").namelist() if n.startswith("item_"))[1]
    rewrite(folder, lambda n, t, f: re.sub(r"<correctResponse>.*?</correctResponse>", "<correctResponse><value>1</value></correctResponse>",
                                           t, flags=re.S) if n in (first, second) else t)
    status, failed = lint(folder, capsys)
    assert status == 1 and any(second.removesuffix(".xml") in line and "distinct" in line and ident in line for line in failed)


def test_unreadable_input_is_one_line(tmp_path, capsys):
    assert main(["lint-export", str(tmp_path / "missing")]) == 2
    (tmp_path / "key.json").write_text("{", encoding="utf-8")
    assert main(["lint-export", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "key.json" in err
