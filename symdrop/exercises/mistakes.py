"""The common dropout mistakes (DROPOUT.md) as alternative exact forward passes: a student's wrong answer."""

from dataclasses import dataclass
from functools import lru_cache

from ..core.fastpass import Number, Problem, activate, affine, predict, values_of


@dataclass(frozen=True)
class Mistake:
    """A mistake a student makes on ``problem`` and the prediction it gives."""

    name: str  # stable identifier, e.g. "forgot_relu_2"
    label: str  # how the answer key names it
    answer: tuple[Number, ...]


@lru_cache(maxsize=1024)  # asked by rule 5, then again for the exercise's key
def mistakes(problem: Problem) -> tuple[Mistake, ...]:
    """Every mistake of DROPOUT.md that applies to ``problem`` (a plain-convention training pass).

    "Forgot the ReLU" is listed for each hidden layer whose ReLU clips a kept unit (elsewhere that
    ReLU changes nothing a student writes on), and once for all hidden layers together.
    Not listed, because they cannot apply here: the scaling mistakes (1/q, 1/p_drop, scaled twice)
    and the test-time ones need a keep probability, and these problems give masks, not q. Nor
    "masked the bias too / masked z instead of the input" (:func:`masked_z`): with g(0) = 0 on
    every masked layer, as with ReLU, it gives the correct prediction by construction.
    """
    L = problem.depth
    found = [Mistake("forgot_masks", "forgot the masks (no dropout)", _prediction(problem, masks=_ones(problem)))]
    if _masked_z_applies(problem):
        found.append(Mistake("masked_z", "masked z instead of the input (bias dropped too)", masked_z(problem)))
    W, b, g = problem.layers[-1]
    found.append(Mistake("dropped_output", "dropped the output unit (0)", tuple(0 for _ in b)))
    found.append(Mistake("dropped_output_bias", "dropped the output unit (its bias left)", tuple(b)))
    activations = [layer[2] for layer in problem.layers]
    relu_layers = [l for l in range(L - 1) if activations[l] == "relu"]
    for l in _clipping_layers(problem, relu_layers):
        skipped = activations[:l] + ["identity"] + activations[l + 1:]
        found.append(Mistake(f"forgot_relu_{l + 1}", f"forgot the ReLU on hidden layer {l + 1}",
                             _prediction(problem, activations=skipped)))
    if len(relu_layers) > 1:
        linear = ["identity" if l in relu_layers else g for l, g in enumerate(activations)]
        found.append(Mistake("forgot_all_relus", "forgot every ReLU", _prediction(problem, activations=linear)))
    if g == "identity":
        found.append(Mistake("relu_on_output", "applied ReLU on the linear output",
                             _prediction(problem, activations=activations[:-1] + ["relu"])))
    return tuple(found)


def masked_z(problem: Problem) -> tuple[Number, ...]:
    """The prediction when each dropped unit's pre-activation z (bias and all) is masked instead of
    the next layer's input: ``a^(l) = g(mu^(l) * z^(l))``, next input unmasked."""
    a = tuple(m * v for m, v in zip(problem.masks[0], problem.x))
    for l, (W, b, g) in enumerate(problem.layers):
        _, z = affine(W, b, a)
        if l + 1 < problem.depth:
            z = tuple(m * v for m, v in zip(problem.masks[l + 1], z))
        a = activate(g, z)
    return a


def _clipping_layers(problem: Problem, relu_layers) -> list[int]:
    # Forgetting a layer's ReLU is a mistake one can make only where that ReLU acts: where it
    # clips a unit the next layer keeps. (Elsewhere the student's values are the right ones.)
    values = values_of(problem)
    return [
        l for l in relu_layers
        if any(z < 0 and keep for z, keep in zip(values[l].z, problem.masks[l + 1]))
    ]


def _masked_z_applies(problem: Problem) -> bool:
    # Masking z before g or the activation after it differ only where g(0) != 0.
    return any(activate(g, (0,)) != (0,) for _, _, g in problem.layers[:-1])


def _prediction(problem: Problem, **changes) -> tuple[Number, ...]:
    return predict(problem, **changes)


def _ones(problem: Problem):
    return tuple(tuple(1 for _ in m) for m in problem.masks)
