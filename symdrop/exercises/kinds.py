"""The registry of exercise kinds: sheets, keys and the command line take their choices from it."""

from .. import names
from ..errors import SymdropError, quote
from . import backprop, dropconnect, ensemble, forward, inverted, noise, penalty, testtime, variance
from .kind import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (forward.KIND, inverted.KIND, testtime.KIND, ensemble.KIND, backprop.KIND,
                                                      variance.KIND, dropconnect.KIND, penalty.KIND, noise.KIND)}
if tuple(KINDS) != names.KINDS:  # the command line lists names.KINDS without loading a kind (and SymPy)
    raise ImportError(f"symdrop/names.py: KINDS must be the registry's kinds in its order, {tuple(KINDS)}")


def get(name: str) -> Kind:
    """The kind called ``name``."""
    try:
        return KINDS[name]
    except KeyError:
        raise SymdropError(f"unknown exercise kind {quote(name)} (expected one of {', '.join(KINDS)})") from None


def of_spec(network, mode: str = "train") -> Kind:
    """The kind a spec's problem is in ``mode``: test-time at test time, else inverted or forward
    as the spec's convention divides or not (``solve --format moodle``, ``check`` without ``--kind``)."""
    posed = [kind for kind in KINDS.values() if kind.mode == mode and kind.poses(network)]
    if len(posed) != 1:  # a registry whose kinds do not split the specs of a mode between them
        raise SymdropError(f"expected one kind for a {mode} pass of this spec, found {len(posed)} (check --kind names one)")
    return posed[0]


def parse_kinds(text: str) -> tuple[Kind, ...]:
    """``"forward,forward"`` -> the kinds a sheet cycles through, in that order."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise SymdropError(f"--kinds: expected kinds like {','.join(KINDS)}, got {quote(text)}")
    unknown = [name for name in names if name not in KINDS]
    if unknown:
        raise SymdropError(f"--kinds: unknown kind {quote(unknown[0])} (expected one of {', '.join(KINDS)})")
    return tuple(KINDS[name] for name in names)
