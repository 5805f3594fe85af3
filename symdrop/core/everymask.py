"""Every mask one by one: the plain definition E[f] = sum over masks of P(mask) f(mask), for
what no shortcut gives (the loss's and the gradients' moments, a batch's expected loss)."""

from ..model.network import Network
from .passnumbers import Number, network_numbers


def maskable_units(network: Network) -> int:
    """How many units (with DropConnect, weights) a mask can drop: those whose keep q < 1."""
    dropout = network.dropout
    if not (dropout.per_unit or dropout.connections):
        return sum(m.rows for l, m in enumerate(network.masks) if dropout.maskable(l))
    return sum(1 for l, m in enumerate(network.masks) for q in dropout.keep_of(l, m.shape) if q != 1)


def mask_entries(network: Network) -> list[tuple[int, tuple, Number]]:
    """Every mask entry that can drop (q < 1): (mask l, its index, q)."""
    numbers = network_numbers(network)
    found = []
    for l, mask in enumerate(numbers.masks):
        q = numbers.keep[l]
        if network.dropout.connections:
            for i, row in enumerate(mask):
                for j in range(len(row)):
                    qij = q[i][j] if isinstance(q, tuple) else q
                    if qij != 1:
                        found.append((l, (i, j), qij))
        else:
            for j in range(len(mask)):
                qj = q[j] if isinstance(q, tuple) else q
                if qj != 1:
                    found.append((l, (j,), qj))
    return found


def masks_of(network: Network, entries, bits) -> tuple[tuple, Number]:
    """The masks (in the core's numbers) with each of ``entries`` set to its bit, and their probability."""
    numbers = network_numbers(network)
    connections = network.dropout.connections
    masks = [list(map(list, m)) if connections else list(m) for m in numbers.masks]
    p = 1
    for (l, index, q), bit in zip(entries, bits):
        if len(index) == 1:
            masks[l][index[0]] = bit
        else:
            masks[l][index[0]][index[1]] = bit
        p *= q if bit else 1 - q
    return tuple(tuple(map(tuple, m)) if connections else tuple(m) for m in masks), p
