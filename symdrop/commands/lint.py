"""lint-export: the exports of a folder graded as their targets grade them, a table of results."""

from fractions import Fraction


def lint_export(args) -> int:
    """Every item of every export in ``args.folder``: 0 when every check passes, else 1."""
    from ..grading.grade import read_rubric
    from ..lint.registry import lint_folder, table

    share = read_rubric(args.rubric).mistake if args.rubric is not None else Fraction(0)
    results = lint_folder(args.folder, share)
    print(table(results))
    failed = sum(1 for r in results if not r.ok)
    print(f"{len(results) - failed} passed, {failed} failed")
    if args.rubric is None and any(r.check.startswith("mistake") and "scores" in r.failure for r in results if not r.ok):
        print("Mistakes scored other than the default rubric's 0: if the sheet was made with --rubric FILE, "
              "give lint-export the same --rubric FILE.")
    return 1 if failed else 0
