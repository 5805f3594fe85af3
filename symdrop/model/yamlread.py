"""YAML as a person reads it (YAML 1.2's core schema), parsed by libyaml where PyYAML has it.

Every number is handed over as written (``0.1`` stays the text ``"0.1"``, for the exactness
gate), so ``010`` is 10 and ``0b11``, ``0x1F`` or ``1:30`` are no numbers; only ``true`` and
``false`` are booleans (``yes``, ``no``, ``on``, ``off`` stay text), dates stay text. A key twice
in a mapping, nesting deeper than :data:`~symdrop.limits.MAX_NESTING` and a list or mapping
longer than :data:`~symdrop.limits.MAX_ENTRIES` are refused while the text is read, before the
rest of it is: a spec of 15,000 layers is refused at its 257th, not after a parse of seconds.

libyaml (PyYAML's ``CParser``) scans and parses; the nodes are composed and constructed here in
Python, with the checks above, so both parsers give the same data and the same refusals; only a
syntax error's wording may differ. Without libyaml, PyYAML's own scanner and parser do it all.
"""

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ..errors import SpecError
from ..limits import MAX_BATCH, MAX_ENTRIES, MAX_LAYERS, MAX_NESTING, MAX_UNITS
from .fields import key_name

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

_TAG = "tag:yaml.org,2002:"
# The plain (unquoted) scalars that are not text: YAML 1.2's null and booleans, and PyYAML's merge
# key << and value key =. Every other plain scalar is text; numbers and dates stay as written.
_PLAIN = {**dict.fromkeys(("", "~", "null", "Null", "NULL"), _TAG + "null"),
          **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), _TAG + "bool"),
          "<<": _TAG + "merge", "=": _TAG + "value"}
_NON_PRINTABLE = Reader.NON_PRINTABLE  # the characters YAML refuses (controls such as NUL and ESC)


class _Resolver(BaseResolver):
    """Tags of plain scalars by a look-up, not PyYAML's regular expressions (half the time of a parse)."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _PLAIN.get(value, self.DEFAULT_SCALAR_TAG) if implicit[0] else self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


class _Composer(Composer):
    """PyYAML's composer, refusing depth and length beyond the limits as soon as they are reached."""

    name = "spec"

    def compose_node(self, parent, index):
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                raise SpecError(self.name, f"nested more than the limit of {MAX_NESTING} lists or mappings deep "
                                           f"at line {mark.line + 1}")
            # index: the entry's position in a list; None for a mapping's key, then its key node
            entries = index if isinstance(index, int) else len(parent.value) if index is None and parent else 0
            if entries >= MAX_ENTRIES:
                what = "list" if isinstance(index, int) else "mapping"
                raise SpecError(self.name, f"a {what} of more than {MAX_ENTRIES} entries (from line "
                                           f"{parent.start_mark.line + 1}), far beyond the limits ({MAX_UNITS} "
                                           f"units per layer, {MAX_LAYERS} layers, {MAX_BATCH} examples)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Constructor(SafeConstructor):
    """Numbers and dates as written, YAML 1.2's booleans, a key twice in a mapping refused."""

    name = "spec"

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == _TAG + "merge":
                    continue  # << merges another mapping; its keys may be overridden here
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: SafeConstructor says so itself
                    break
                if duplicate:
                    raise SpecError(self.name, f"key {key_name(key)} appears twice in one mapping (line "
                                               f"{key_node.start_mark.line + 1}); give each key once")
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _as_written(loader, node):
    return loader.construct_scalar(node)


def _boolean(loader, node):
    text = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(text.lower(), text)  # YAML 1.1's yes/no/on/off stay text


for _tag in ("float", "int", "timestamp"):  # explicit tags (!!int 5): the text as written all the same
    _Constructor.add_constructor(_TAG + _tag, _as_written)
_Constructor.add_constructor(_TAG + "bool", _boolean)


class PythonLoader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    """The loader in Python alone (PyYAML's scanner and parser)."""

    def __init__(self, text: str):
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)


if CParser is not None:
    class CLoader(_Composer, CParser, _Constructor, _Resolver):
        """libyaml's scanner and parser, the composer and constructor above (before CParser's own)."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    CLoader = None


def load_yaml(text: str, name: str, loader=None):
    """The plain data of YAML ``text``; every problem a :class:`SpecError` naming ``name``.

    libyaml reads it where PyYAML has it, but PyYAML's parser where they may disagree: a text with
    a tab (libyaml takes tabs PyYAML refuses) and a text libyaml refuses (PyYAML takes a few such,
    ``[1:]``, and says every refusal its own way), so the data and the refusals are PyYAML's."""
    bad = _NON_PRINTABLE.search(text)  # as PyYAML's reader says it (libyaml counts bytes, not characters)
    if bad:
        raise SpecError(name, f"not valid YAML or JSON: character #x{ord(bad.group()):04x} is not allowed "
                              f"(position {bad.start()})")
    if loader is None:
        loader = PythonLoader if CLoader is None or "\t" in text else CLoader
    try:
        try:
            return _load(loader, text, name)
        except yaml.YAMLError:
            if loader is not CLoader:
                raise
            return _load(PythonLoader, text, name)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "unreadable"
        raise SpecError(name, f"not valid YAML or JSON: {problem}{where}") from None


def _load(loader_class, text: str, name: str):
    loader = loader_class(text)
    try:
        loader.name = name
        return loader.get_single_data()
    finally:
        loader.dispose()
