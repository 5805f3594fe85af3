"""The registry of exercise kinds: sheets, keys and the command line take their choices from it."""

from .. import names
from ..errors import SymdropError, quote
from . import backprop, dropconnect, dropconnect_forward, ensemble, forward, inverted, minimiser, noise, nwgm, penalty, testtime, variance
from .kind import Kind
from .options import Options, check_smooth_shape

KINDS: dict[str, Kind] = {kind.name: kind for kind in (forward.KIND, inverted.KIND, testtime.KIND, ensemble.KIND, backprop.KIND,
                                                      variance.KIND, dropconnect.KIND, penalty.KIND, noise.KIND,
                                                      nwgm.KIND)}
# A kind with an option, named KIND:OPTION (--kinds variance:alone): a kind of its own, whose
# question asks something else of the same problems (its module says what).
OPTIONS: dict[str, Kind] = {kind.name: kind for kind in (variance.ALONE, minimiser.KIND, dropconnect_forward.KIND)}
if tuple(KINDS) != names.KINDS or tuple(OPTIONS) != names.OPTIONS:  # the command line lists names without loading a kind (and SymPy)
    raise ImportError(f"symdrop/names.py: KINDS and OPTIONS must be the registry's, in its order: {tuple(KINDS)}, {tuple(OPTIONS)}")


def get(name: str) -> Kind:
    """The kind called ``name`` (``KIND`` or ``KIND:OPTION``)."""
    try:
        return KINDS[name] if name in KINDS else OPTIONS[name]
    except KeyError:
        raise SymdropError(f"unknown exercise kind {quote(name)} (expected one of {expected()})") from None


def expected() -> str:
    """The kinds and the kinds with an option, as an error or a help text lists them."""
    return ", ".join(KINDS) + (f"; with an option: {', '.join(OPTIONS)}" if OPTIONS else "")


def of_spec(network, mode: str = "train") -> Kind:
    """The kind a spec's problem is in ``mode``: test-time at test time, else inverted or forward
    as the spec's convention divides or not (``solve --format moodle``, ``check`` without ``--kind``)."""
    posed = [kind for kind in KINDS.values() if kind.mode == mode and kind.poses(network)]
    if len(posed) != 1:  # a registry whose kinds do not split the specs of a mode between them
        raise SymdropError(f"expected one kind for a {mode} pass of this spec, found {len(posed)} (check --kind names one)")
    return posed[0]


def parse_kinds(text: str) -> tuple[Kind, ...]:
    """``"forward,variance:alone"`` -> the kinds a sheet cycles through, in that order."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise SymdropError(f"--kinds: expected kinds like {','.join(KINDS)}, got {quote(text)}")
    unknown = [name for name in names if name not in KINDS and name not in OPTIONS]
    if unknown:
        raise SymdropError(f"--kinds: unknown kind {quote(unknown[0])} (expected one of {expected()})")
    return tuple(get(name) for name in names)


def check_options(kinds: tuple[Kind, ...], options: Options) -> None:
    """Refuse, in one line, options one of ``kinds`` cannot draw problems with: sigmoid or tanh
    hidden layers where a kind draws ReLU networks only, a smooth sheet's shape beyond its limits,
    then what each kind refuses itself."""
    if options.smooth:
        unshaped = [k.name for k in kinds if not k.shaped]
        if unshaped:
            raise SymdropError(f"--activation {options.activation}: the kind {unshaped[0]} has no hidden layers (it draws a "
                               f"unit, a layer or a batch of its own size), so --activation does not apply to it")
        plain = [k.name for k in kinds if k.smooth is None]
        if plain:
            smooth = [k.name for k in KINDS.values() if k.smooth is not None]
            raise SymdropError(f"--activation {options.activation}: the kind {plain[0]} draws ReLU networks only "
                               f"(sigmoid and tanh hidden layers: {', '.join(smooth)})")
        check_smooth_shape(options)
    for kind in dict.fromkeys(kinds):
        kind.check_options(options)
