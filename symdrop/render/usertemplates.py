"""Users' template folders (``--templates DIR``): read only inside the folder, rendered in Jinja's
sandbox, every error one line naming the file and line.

A template may print the values it is handed, call the format's macros and Jinja's, and the
methods of text, lists, mappings and of the values themselves; it may read no attribute starting
with ``_`` and reach no module (Jinja's sandbox), call no function but Jinja's, symdrop's, SymPy's
and Python's plain types', and have SymPy read no text (SymPy's parser runs text as Python code:
it refuses while a user's template compiles or renders, and SymPy's methods take no text from a
template). Its ``**`` and ``*`` are bounded. No file outside the folder is read: a symbolic link
leading out of it is refused, and so is anything but a regular file.
"""

import contextlib
import contextvars
import difflib
import functools
import numbers
import os
import stat
import types
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..errors import RenderError, SymdropError, quote
from ..limits import MAX_TEMPLATE_BITS, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_FILES, MAX_TEMPLATE_REPEAT

# Whose functions a template may call, by module; SymPy's take no text (they would read it as code).
CALLABLE = ("builtins", "jinja2", "symdrop", "sympy", "mpmath", "fractions", "collections")
NO_TEXT = ("sympy", "mpmath")
# Set while a user's template renders: SymPy's parser then refuses to read text (as Python code),
# wherever a filter or method would hand it some (``"__import__('os')..." | approx``).
_RENDERING = contextvars.ContextVar("symdrop_rendering_users_template", default=False)


@contextlib.contextmanager
def _reading_no_code():
    token = _RENDERING.set(True)
    try:
        yield
    finally:
        _RENDERING.reset(token)


def _guard_sympy_parser() -> None:
    """SymPy's text parser (``sympify("...")`` runs ``eval``), wrapped to refuse while a user's
    template renders. sympify imports it from its module at every call, so the wrapper is met."""
    from sympy.parsing import sympy_parser

    if getattr(sympy_parser.parse_expr, "symdrop_guard", False):
        return
    parse = sympy_parser.parse_expr

    def parse_expr(*args, **kwargs):
        if _RENDERING.get():
            raise SecurityError("SymPy would read text as Python code; a template hands it numbers only")
        return parse(*args, **kwargs)

    parse_expr.symdrop_guard = True
    sympy_parser.parse_expr = parse_expr


class _Template(jinja2.Template):
    """A user's environment's template: rendered with SymPy's text parser refusing."""

    def render(self, *args, **kwargs):
        with _reading_no_code():
            return super().render(*args, **kwargs)

    def make_module(self, *args, **kwargs):
        with _reading_no_code():
            return super().make_module(*args, **kwargs)


def read_template(path: Path, root: Path) -> str:
    """The text of the template file ``path`` of the folder ``root`` (resolved): refused, naming
    it, when it leads out of the folder, is no regular file, is too large or is not UTF-8."""
    real = path.resolve()
    if not real.is_relative_to(root):
        raise RenderError(f"--templates: {path} is a symbolic link leading out of the folder (to {real}); "
                          f"a template folder may hold links only to its own files")
    try:
        with open(real, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise RenderError(f"--templates: {path}: expected a template file, got no regular file")
            data = file.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise RenderError(f"--templates: {path}: cannot read: {error.strerror}") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise RenderError(f"--templates: {path}: larger than the limit of {MAX_TEMPLATE_BYTES:,} bytes for a template")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RenderError(f"--templates: {path}: expected UTF-8 text (bad byte at offset {error.start})") from None


class FolderLoader(jinja2.BaseLoader):
    """Templates from one user folder, by name (``latex/macros.j2``), never from outside it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.root = self.folder.resolve()

    def get_source(self, environment, template):
        path = self.folder.joinpath(*split_template_path(template))  # no "..", no absolute names
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        return read_template(path, self.root), str(path), lambda: True


class UserTemplates(SandboxedEnvironment):
    """Jinja's sandbox, narrowed for symdrop's values, with errors as one line (see the module)."""

    intercepted_binops = frozenset({"*", "**"})
    template_class = _Template

    def __init__(self, folders, builtin: Path, **settings):
        self.folders = tuple(str(Path(f)) for f in folders)
        self.builtin = str(builtin)
        super().__init__(**settings)
        self.globals.pop("lipsum", None)  # placeholder text, as long as asked: no template needs it
        _guard_sympy_parser()

    def compile(self, *args, **kwargs):
        # Jinja computes a filter of constants while it compiles ("..." | approx): refused the same
        with _reading_no_code():
            return super().compile(*args, **kwargs)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        return super().is_safe_attribute(obj, attr, value) and not isinstance(value, types.ModuleType)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        owner = _owner(__obj)
        if not owner.startswith(CALLABLE):
            raise SecurityError(f"a template may not call {_name(__obj)} (of {owner})")
        if owner.startswith(NO_TEXT) and _holds_text((args, tuple(kwargs.values()))):
            raise SecurityError(f"{_name(__obj)} takes numbers, not text, in a template (SymPy reads text as code)")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        if operator == "**" and _bits(left) * _integer(right, 0) > MAX_TEMPLATE_BITS:
            raise SecurityError(f"a power of more than {MAX_TEMPLATE_BITS:,} bits")
        if operator == "*" and _repeated(left, right) > MAX_TEMPLATE_REPEAT:
            raise SecurityError(f"a text or list repeated to more than {MAX_TEMPLATE_REPEAT:,} entries")
        return super().call_binop(context, operator, left, right)

    def handle_exception(self, source=None):
        try:
            super().handle_exception(source)  # raises the error, its traceback on templates' lines
        except SymdropError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever a template did, one line
            raise RenderError(self.describe(error)) from None

    def describe(self, error: Exception) -> str:
        """One line: the template file and line where ``error`` arose, and what it is."""
        frames = []
        if isinstance(error, jinja2.TemplateSyntaxError):
            frames.append((error.filename or error.name, error.lineno))
        tb = error.__traceback__
        while tb is not None:
            if "__jinja_exception__" in tb.tb_frame.f_globals:  # a frame Jinja made for a template's line
                frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
            tb = tb.tb_next
        where = "a template"
        if frames:
            file, line = frames[-1]
            where = f"{self.shown(file)}, line {line}"
            mine = [f for f in frames if self.is_users(f[0])]
            if mine and mine[-1] != frames[-1]:
                where += f" (from {self.shown(mine[-1][0])}, line {mine[-1][1]})"
        return f"{where}: {_what(error)}"

    def is_users(self, file: str) -> bool:
        return any(file.startswith(folder + os.sep) for folder in self.folders)

    def shown(self, file: str) -> str:
        if file.startswith(self.builtin + os.sep):
            return f"the built-in template {Path(file).relative_to(self.builtin).as_posix()}"
        return file


def _what(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"syntax error: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        return f"no template {quote(error.name)} in the folders or built in"
    if isinstance(error, SecurityError):
        return f"not allowed in a template: {error}"
    if isinstance(error, RecursionError):
        return "recursion too deep (a macro or include that calls itself without end)"
    if isinstance(error, MemoryError):
        return "out of memory"
    if isinstance(error, jinja2.UndefinedError):
        return str(error)
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def _owner(obj) -> str:
    """The module whose code ``obj`` runs: a bound method's type's, a function's or class's own."""
    if isinstance(obj, Macro):
        return "jinja2"
    bound = getattr(obj, "__self__", None)
    if bound is not None and not isinstance(bound, types.ModuleType):
        return (bound if isinstance(bound, type) else type(bound)).__module__ or ""
    if isinstance(obj, types.FunctionType):  # where it is written (a wrapper copies its __module__)
        return obj.__globals__.get("__name__") or ""
    if isinstance(obj, (types.BuiltinFunctionType, type)):
        return getattr(obj, "__module__", None) or ""
    if isinstance(obj, functools.partial):
        return _owner(obj.func)
    return type(obj).__module__ or ""


def _name(obj) -> str:
    return getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__


def _holds_text(value) -> bool:
    """Whether ``value`` is text or holds text in its lists, tuples, sets or mappings."""
    todo, seen = [value], set()
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            return True
        if isinstance(item, (list, tuple, set, frozenset, dict)) and id(item) not in seen:
            seen.add(id(item))
            todo.extend(item.items() if isinstance(item, dict) else item)
    return False


def _integer(value, default: int) -> int:
    """``value`` as an int when it is an exact integer (Python's or SymPy's), else ``default``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return abs(int(value))
    is_integer = getattr(value, "is_Integer", False)
    return abs(int(value)) if is_integer is True else default


def _bits(value) -> int:
    """The size of an exact number in bits (a fraction's larger side); 1 for anything else."""
    if isinstance(value, numbers.Rational) and not isinstance(value, bool):
        return max(int(value.numerator).bit_length(), int(value.denominator).bit_length(), 1)
    if getattr(value, "is_Rational", False) is True:
        return max(int(value.p).bit_length(), int(value.q).bit_length(), 1)
    return 1


def _repeated(left, right) -> int:
    """The length of ``left * right`` when it repeats a text or list, else 0."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)):
            return len(sequence) * _integer(times, 0)
    return 0


def check_folder(folder: Path, builtin: set[str]) -> list[str]:
    """Refuse a template folder that reaches outside itself, or holds what no template can be, in
    one line naming the entry; return a warning line for each file that replaces no built-in
    template (with the built-in names nearest to it)."""
    folder = Path(folder)
    root = folder.resolve()
    warnings, found = [], 0
    todo, seen = [folder], {root}
    while todo:
        here = todo.pop()
        for entry in sorted(here.iterdir()):
            if entry.name.startswith("."):
                continue  # .git, .DS_Store: no template's name starts with a dot
            found += 1
            if found > MAX_TEMPLATE_FILES:
                raise RenderError(f"--templates {folder}: more than {MAX_TEMPLATE_FILES:,} files and folders; "
                                  f"expected a folder of templates")
            real = entry.resolve()
            if not real.is_relative_to(root):
                raise RenderError(f"--templates: {entry} is a symbolic link leading out of the folder (to {real}); "
                                  f"a template folder may hold links only to its own files")
            if entry.is_dir():
                if real not in seen:
                    seen.add(real)
                    todo.append(entry)
                continue
            read_size(entry, real)
            name = entry.relative_to(folder).as_posix()
            if name not in builtin:
                warnings.append(unmatched(folder, name, builtin))
    return warnings


def read_size(entry: Path, real: Path) -> None:
    info = real.stat()
    if not stat.S_ISREG(info.st_mode):
        raise RenderError(f"--templates: {entry}: expected a template file, got no regular file")
    if info.st_size > MAX_TEMPLATE_BYTES:
        raise RenderError(f"--templates: {entry}: larger than the limit of {MAX_TEMPLATE_BYTES:,} bytes for a template")


def unmatched(folder: Path, name: str, builtin: set[str]) -> str:
    """The warning for ``name``, a file of ``folder`` that no built-in template has the name of."""
    base = name.rsplit("/", 1)[-1]
    nearest = sorted(b for b in builtin if b.rsplit("/", 1)[-1] == base)
    nearest += [b for b in difflib.get_close_matches(name, sorted(builtin), n=3, cutoff=0.6) if b not in nearest]
    hint = f"nearest: {', '.join(nearest[:3])}" if nearest else "`symdrop templates --out DIR` writes them all"
    return (f"symdrop: warning: --templates {folder}: {name} replaces no built-in template ({hint}); "
            f"only a template that includes it uses it")
