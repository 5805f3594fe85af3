"""The linear model's expected loss as a penalty, by enumeration (tests/MOMENTS_CONTRACT.md, "penalty").

A linear model is one identity layer y = W~ x~ + b. A batch of B examples draws one mask per example,
independently; its loss is the mean of the examples' losses, so E[loss] = (1/B) sum_e E[loss_e],
each E[loss_e] a sum over that example's masks. Nothing here uses the closed form: the loss of the
mean model is the loss at E[y] (y is linear in the masks), the penalty is the difference of the two
sums, and the minimiser over W (bias held) solves grad f = 0 for the quadratic f(W) = E[loss], whose
coefficients come from evaluating the enumerated f at 0, +-e_k and e_k + e_l:

    f(w) = c0 + g.w + w^T H w / 2:  H_kk = f(e_k) + f(-e_k) - 2 f(0),  g_k = (f(e_k) - f(-e_k)) / 2,
    H_kl = f(e_k + e_l) - f(e_k) - f(e_l) + f(0);   minimiser: H w = -g (None when H is singular).

``closed_form`` (the contract's formula) is only for the reference's own tests.
"""

import dataclasses
import random
from fractions import Fraction

from . import reference_model as ref
from .reference_moments import every_mask

EXACT_LOSSES = ("squared", "sse", "mse")


def applies(net) -> bool:
    model = net.model
    return (len(model.layers) == 1 and net.smooth[0] is None and model.layers[0].activation == "identity"
            and model.targets is not None and model.loss in EXACT_LOSSES)


def with_weights(model: ref.Model, W) -> ref.Model:
    layer = dataclasses.replace(model.layers[0], W=tuple(tuple(row) for row in W))
    return dataclasses.replace(model, layers=(layer,))


def expected_loss(model: ref.Model) -> Fraction:
    B = len(model.inputs)
    total = Fraction(0)
    for e in range(B):
        for p, masks in every_mask(model):
            total += p * ref.loss_value(model.loss, ref.prediction(model, e, "train", masks), model.targets[e])
    return total / B


def loss_of_mean_model(model: ref.Model) -> Fraction:
    B = len(model.inputs)
    total = Fraction(0)
    for e in range(B):
        y = [Fraction(0)] * len(model.layers[0].W)
        for p, masks in every_mask(model):
            y = [acc + p * v for acc, v in zip(y, ref.prediction(model, e, "train", masks))]
        total += ref.loss_value(model.loss, tuple(y), model.targets[e])
    return total / B


def expected_gradient(model: ref.Model) -> list:
    """E over the masks of dL/dW of the batch's loss (the mean of the examples' gradients)."""
    B = len(model.inputs)
    rows, cols = len(model.layers[0].W), len(model.layers[0].W[0])
    total = [[Fraction(0)] * cols for _ in range(rows)]
    for e in range(B):
        for p, masks in every_mask(model):
            gw = ref.backward_example(dataclasses.replace(model, masks=(masks,) * B), e).grad_weights[0]
            total = [[t + p * g / B for t, g in zip(trow, grow)] for trow, grow in zip(total, gw)]
    return total


def quadratic(model: ref.Model) -> tuple[list, list]:
    """(g, H) of f(w) = E[loss] over the entries w of W, row by row (b held)."""
    rows, cols = len(model.layers[0].W), len(model.layers[0].W[0])
    n = rows * cols

    def f(vector: dict) -> Fraction:  # {k: value}, the rest 0
        W = [[vector.get(i * cols + j, Fraction(0)) for j in range(cols)] for i in range(rows)]
        return expected_loss(with_weights(model, W))

    f0 = f({})
    plus = [f({k: Fraction(1)}) for k in range(n)]
    minus = [f({k: Fraction(-1)}) for k in range(n)]
    g = [(plus[k] - minus[k]) / 2 for k in range(n)]
    H = [[Fraction(0)] * n for _ in range(n)]
    for k in range(n):
        H[k][k] = plus[k] + minus[k] - 2 * f0
        for m in range(k + 1, n):
            H[k][m] = H[m][k] = f({k: Fraction(1), m: Fraction(1)}) - plus[k] - plus[m] + f0
    return g, H


def solve(A: list, r: list):
    """The unique x with A x = r (Fractions, Gauss-Jordan), or None when A is singular."""
    n = len(A)
    M = [list(row) + [v] for row, v in zip(A, r)]
    for c in range(n):
        pivot = next((i for i in range(c, n) if M[i][c] != 0), None)
        if pivot is None:
            return None
        M[c], M[pivot] = M[pivot], M[c]
        M[c] = [v / M[c][c] for v in M[c]]
        for i in range(n):
            if i != c and M[i][c] != 0:
                M[i] = [a - M[i][c] * b for a, b in zip(M[i], M[c])]
    return [M[i][n] for i in range(n)]


def penalty(net) -> dict:
    model = net.model
    rows, cols = len(model.layers[0].W), len(model.layers[0].W[0])
    g, H = quadratic(model)
    w = solve(H, [-v for v in g])
    expected, of_mean = expected_loss(model), loss_of_mean_model(model)
    gradient = expected_gradient(model)
    minimiser = None if w is None else {"weights": [w[i * cols:(i + 1) * cols] for i in range(rows)],
                                        "bias": list(model.layers[0].b)}
    return {"expected_loss": expected, "loss_of_mean_model": of_mean, "penalty": expected - of_mean,
            "minimiser": minimiser, "expected_gradient": gradient, "penalised_gradient": gradient}


def closed_form(model: ref.Model) -> Fraction:
    """The contract's c sum_j sum_k W_kj^2 v_j sum_i x_ij^2 (units), for the reference's tests."""
    W, q, X = model.layers[0].W, model.keep[0], model.inputs
    v = [qj * (1 - qj) if model.convention != "inverted" else (1 - qj) / qj for qj in q]
    c = {"squared": Fraction(1, 2), "sse": Fraction(1), "mse": Fraction(1, len(W))}[model.loss] / len(X)
    return c * sum(W[k][j] ** 2 * v[j] * sum(x[j] ** 2 for x in X) for k in range(len(W)) for j in range(len(q)))


def linear_spec(seed: int, kind: str = "units") -> dict:
    """One identity layer, 1-3 inputs, 1-2 outputs, one example or a batch of up to 4, a target."""
    rng = random.Random(f"linear-{kind}-{seed}")
    single = rng.random() < 0.4
    n, k, B = rng.randint(1, 3), rng.randint(1, 2), 1 if single else rng.randint(1, 4)
    if kind == "units":
        keep = [[ref.draw_q(rng, one=0.3) for _ in range(n)] if rng.random() < 0.5 else ref.draw_q(rng)]
        if isinstance(keep[0], list) and all(q == 1 for q in keep[0]):
            keep[0][0] = ref.draw_q(rng)
    else:
        keep = [[[ref.draw_q(rng, one=0.3) for _ in range(n)] for _ in range(k)]]
        keep[0][0][0] = ref.draw_q(rng)
    layer = {"weights": [[ref.draw_value(rng) for _ in range(n)] for _ in range(k)],
             "bias": [ref.draw_value(rng) for _ in range(k)]}
    if rng.random() < 0.5:
        layer["activation"] = "identity"
    loss = rng.choice(EXACT_LOSSES)
    inputs = [ref.draw_input(rng, n) for _ in range(B)]
    targets = [ref.draw_target(rng, k, loss) for _ in range(B)]
    spec = {"title": f"linear {kind} {seed}", "input": inputs[0] if single else inputs, "layers": [layer],
            "dropout": {**({"kind": kind} if kind != "units" else {}), "convention": rng.choice(ref.CONVENTIONS), "keep": keep},
            "target": targets[0] if single else targets}
    if loss != "squared" or rng.random() < 0.5:
        spec["loss"] = loss
    return spec
