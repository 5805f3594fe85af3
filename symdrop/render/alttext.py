"""The text alternative of a network's picture: what it shows, in words a screen reader says
(WCAG 2.1, 1.1.1): the layer sizes, each layer's masks and the units or connections they drop,
and whether the weights are written in the picture or given beside it."""

from functools import lru_cache

from ..numbers import number_text
from .diagram import Diagram


def _noun(l: int, depth: int) -> str:
    return "the input layer" if l == 0 else "the output layer" if l == depth else f"hidden layer {l}"


@lru_cache(maxsize=256)  # a sheet's problems share a few pictures (equal pictures, equal text)
def describe(dia: Diagram) -> str:
    """One paragraph of plain text: every fact the picture carries, none it does not."""
    if dia.too_large:
        return f"The network, layer sizes {' → '.join(map(str, dia.sizes))}: too large to draw."
    sentences = [f"The network, layer sizes {' → '.join(map(str, dia.sizes))} (input first), "
                 f"each layer fed by a bias node, which is never dropped."]
    sentences += _masks(dia)
    cut = [e for e in dia.edges if e.dropped]
    if cut and not dia.dropped:  # DropConnect: connections dropped, no unit
        names = {u.name: u.text for u in dia.units}
        sentences.append("Dropped connections (mask 0), dashed: " + "; ".join(
            f"{names.get(e.source, 'the bias')} to {names[e.target]}" for e in cut) + ".")
    if dia.edge_weights:
        sentences.append("Each connection is labelled with its weight, each bias connection with its bias.")
    else:
        sentences.append("The weights and biases are not in the picture: they are given in the text.")
    if dia.gaps:
        sentences.append("Units left out of the picture (⋮): " + "; ".join(
            f"{g.first} to {g.last} of {_noun(g.l, dia.depth)}" for g in dia.gaps) + ", all kept.")
    return " ".join(sentences)


def _masks(dia: Diagram) -> list[str]:
    """A sentence per masked layer: its mask values and the units they drop."""
    masked = [u for u in dia.units if u.mask is not None]
    if not masked:
        return ["No masks are shown: no unit is dropped in the picture."]
    if any(u.symbolic_mask for u in masked):
        return ["Each unit of the input and hidden layers carries its mask as a symbol, μ⁽ˡ⁾ⱼ; the output is never masked."]
    sentences = []
    for l in range(dia.depth):
        units = {u.j: u for u in masked if u.l == l}
        values = [number_text(units[j].mask) if j in units else "1" for j in range(dia.sizes[l])]  # SymPy's str is sstr
        noun = "input" if l == 0 else "unit"
        dropped = [f"{noun} {j + 1} ({units[j].text})" for j in sorted(units) if units[j].dropped]
        said = f"dropped, crossed out: {', '.join(dropped)}" if dropped else "no unit dropped"
        sentences.append(f"Masks of {_noun(l, dia.depth)}: ({', '.join(values)}), {said}.")
    sentences.append("The output layer is never masked.")
    return sentences
