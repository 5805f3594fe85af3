"""The expected loss of a linear model under input dropout as the loss of the mean model plus a
data-dependent L2 penalty (Srivastava et al. 2014, section 9.1; Wager et al. 2013).

A linear model y = W (mu * x / s) + b, one identity layer, with a loss L = c sum_k (y_k - t_k)^2.
Given x, y_k is a sum of independent terms, so E[y_k] = b_k + sum_j W_kj m_j x_j (m_j = q_j for
plain masks, 1 when inverted) and Var(y_k) = sum_j W_kj^2 x_j^2 v_j, v_j = q_j (1 - q_j) plain,
(1 - q_j)/q_j inverted. E[(y - t)^2] = (E[y] - t)^2 + Var(y), so over a batch of B examples

    E[L] = L(mean model) + (c / B) sum_k sum_j W_kj^2 v_j sum_i x_ij^2.

Both sides are computed here, the left one by visiting every mask of every example, and so is
the minimiser of E[L] over W with the bias held: the regularised normal equations.
"""

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

import sympy

from ..errors import SymdropError
from ..limits import MAX_MOMENTS_EVERY_MASK
from ..model.batch import Batch
from ..model.network import Network
from . import losses
from .backward import backward
from .everymask import mask_entries, masks_of
from .passnumbers import network_numbers


@dataclass(frozen=True)
class Penalty:
    """Both sides of E[L] = L(mean model) + penalty for a batch of ``examples`` (B), and more."""

    examples: int
    factor: Fraction  # c / B
    variances: tuple  # v_kj of every weight (of its input unit's mask, or DropConnect's own), rows
    mean_scale: tuple  # m_kj of every weight: the mean model's weights are W_kj m_kj, rows
    expected_loss: Fraction  # every mask of every example visited
    loss_variance: Fraction  # of the batch's loss (examples masked independently)
    loss_of_mean_model: Fraction
    penalty: Fraction
    expected_gradient: tuple  # E[dL/dW], rows, every mask visited
    penalised_gradient: tuple  # d/dW of L(mean model) + penalty, rows
    minimiser: tuple | None  # argmin over W of E[L] (rows), None when not unique
    bias: tuple  # held at the spec's value while W is minimised over
    mean_predictions: tuple = ()  # E[y] of every example (rows): the mean model's outputs
    residuals: tuple = ()  # E[y_k] - t_k of every example (rows)
    input_squares: tuple = ()  # sum_i x_ij^2 of every input j


def applies(model: Network | Batch) -> bool:
    """Whether ``model`` is a linear model (one identity layer) with a target."""
    first = model.examples[0] if isinstance(model, Batch) else model
    return first.depth == 1 and first.layers[0].activation == "identity" and first.target is not None


def penalty(model: Network | Batch) -> Penalty:
    """The penalty identity of a linear model with a target (one example or a batch)."""
    examples = model.examples if isinstance(model, Batch) else (model,)
    first = examples[0]
    loss = losses.named(first.loss)
    if loss.squares is None:
        raise SymdropError(f"moments: the {first.loss} loss has no closed-form expectation over masks; the "
                           f"penalty identity holds for squared losses (squared, sse, mse)")
    numbers = [network_numbers(network) for network in examples]
    W, b = numbers[0].layers[0]
    Q = _per_weight(numbers[0].keep[0], len(b), len(numbers[0].x), first.dropout.connections)
    maskable = sum(1 for row in Q for q in row if q != 1) if first.dropout.connections else sum(1 for q in Q[0] if q != 1)
    if maskable > MAX_MOMENTS_EVERY_MASK:
        raise SymdropError(f"moments: {maskable} maskable {'weights' if first.dropout.connections else 'inputs'}; "
                           f"the limit is {MAX_MOMENTS_EVERY_MASK} (every mask of every example is visited)")
    divides = first.dropout.convention.divides
    M = tuple(tuple(Fraction(1) if divides else Fraction(q) for q in row) for row in Q)
    V = tuple(tuple((1 - Fraction(q)) / q if divides else Fraction(q) * (1 - q) for q in row) for row in Q)
    B, n = len(examples), len(numbers[0].x)
    c = loss.squares(len(b)) / B
    xs = [values.x for values in numbers]
    ts = [values.target for values in numbers]
    mean_model = [[bk + sum(w * mk * x for w, mk, x in zip(row, mrow, xi)) for row, mrow, bk in zip(W, M, b)] for xi in xs]
    of_mean = sum(loss.value(tuple(y), t) for y, t in zip(mean_model, ts)) / B
    squares = [sum(xi[j] ** 2 for xi in xs) for j in range(n)]
    term = c * sum(row[j] ** 2 * vrow[j] * squares[j] for row, vrow in zip(W, V) for j in range(n))
    gradient = tuple(tuple(2 * c * (sum((y[k] - t[k]) * M[k][j] * xi[j] for y, t, xi in zip(mean_model, ts, xs))
                                    + row[j] * V[k][j] * squares[j]) for j in range(n))
                     for k, row in enumerate(W))
    mean_loss, loss_variance, mean_gradient = _every_mask(examples)
    residuals = tuple(tuple(yk - tk for yk, tk in zip(y, t)) for y, t in zip(mean_model, ts))
    return Penalty(B, c, V, M, mean_loss, loss_variance, of_mean, term, mean_gradient, gradient,
                   _minimiser(xs, ts, b, M, V, squares), tuple(b), tuple(map(tuple, mean_model)), residuals,
                   tuple(squares))


def _per_weight(keep, rows: int, cols: int, connections: bool) -> tuple:
    """The q of every weight: DropConnect's own, or the q of each weight's input unit."""
    if connections:
        return keep if isinstance(keep, tuple) else ((keep,) * cols,) * rows
    q = tuple(keep) if isinstance(keep, tuple) else (keep,) * cols
    return (q,) * rows


def _every_mask(examples) -> tuple:
    """E[L], Var(L) and E[dL/dW] of the batch's loss (the mean over examples), visiting every
    mask of each example; the examples' masks are independent, so variances add (over B^2)."""
    B = len(examples)
    mean = variance = 0
    gradient = None
    for network in examples:
        first = second = 0
        entries = mask_entries(network)
        for bits in product((1, 0), repeat=len(entries)):
            masks, p = masks_of(network, entries, bits)
            g = backward(network, masks=masks)
            first += p * g.loss
            second += p * g.loss ** 2
            step = tuple(tuple(p * e / B for e in row) for row in g.layers[0].grad_weights)
            gradient = step if gradient is None else tuple(tuple(a + e for a, e in zip(ar, er)) for ar, er in zip(gradient, step))
        mean += first / B
        variance += (second - first ** 2) / B ** 2
    return mean, variance, gradient


def _minimiser(xs, ts, b, M, V, squares) -> tuple | None:
    """argmin over W of E[L]: for each output k, A_k w_k = r_k with (A_k)_jl = sum_i m_kj m_kl
    x_ij x_il + [j = l] v_kj sum_i x_ij^2 and r_j = sum_i (t_ik - b_k) m_kj x_ij (None if some A_k
    is singular)."""
    n = len(squares)
    rows = []
    for k, bk in enumerate(b):
        m, v = M[k], V[k]
        A = sympy.Matrix(n, n, lambda j, l: _rational(sum(m[j] * m[l] * x[j] * x[l] for x in xs) + (v[j] * squares[j] if j == l else 0)))
        if A.det() == 0:
            return None
        r = sympy.Matrix(n, 1, lambda j, _: _rational(sum((t[k] - bk) * m[j] * x[j] for x, t in zip(xs, ts))))
        rows.append(tuple(Fraction(int(w.p), int(w.q)) for w in A.LUsolve(r)))
    return tuple(rows)


def _rational(value) -> sympy.Rational:
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


@dataclass(frozen=True)
class NormalEquations:
    """The minimiser of E[L] over w (one output, inputs masked with one q, the bias held) as a
    student solves it: the normal equations A w = r scaled to K w = c, with K = q G + (1 - q) D
    (G = X^T X, D its diagonal, so K's diagonal is D itself) and c = s X^T (t - b), s = 1 for
    plain masks and q when inverted (plain: A = q K, r = q X^T (t - b); inverted: A = K / q,
    r = X^T (t - b)); det(K) and the solution w = K^-1 c by Cramer's rule."""

    q: Fraction
    divides: bool
    gram: tuple  # G = X^T X, rows
    residual: tuple  # t - b of every example
    centred: tuple  # X^T (t - b)
    K: tuple  # rows
    c: tuple
    det: Fraction
    w: tuple


def normal_equations(batch: Batch) -> NormalEquations:
    """The scaled normal equations of a batch's linear model with one output and one q (the
    penalty kind's minimiser), solved exactly."""
    numbers = [network_numbers(network) for network in batch.examples]
    (_, (b,)) = numbers[0].layers[0]
    q = Fraction(numbers[0].keep[0])
    divides = batch.dropout.convention.divides
    xs = [tuple(Fraction(v) for v in values.x) for values in numbers]
    residual = [Fraction(values.target[0]) - b for values in numbers]
    n = len(xs[0])
    gram = tuple(tuple(sum((x[j] * x[l] for x in xs), Fraction(0)) for l in range(n)) for j in range(n))
    centred = tuple(sum((r * x[j] for r, x in zip(residual, xs)), Fraction(0)) for j in range(n))
    K = tuple(tuple(gram[j][l] if j == l else q * gram[j][l] for l in range(n)) for j in range(n))
    c = tuple((q if divides else 1) * v for v in centred)
    det, w = solve(K, c)
    return NormalEquations(q, divides, gram, tuple(residual), centred, K, c, det, w)


def solve(K, c) -> tuple[Fraction, tuple | None]:
    """det(K) and K^-1 c by Cramer's rule, for a 1 x 1 or 2 x 2 system (None: singular)."""
    if len(c) == 1:
        return K[0][0], (c[0] / K[0][0],) if K[0][0] else None
    (a, b), (d, e) = K
    det = a * e - b * d
    if det == 0:
        return det, None
    return det, ((c[0] * e - b * c[1]) / det, (a * c[1] - d * c[0]) / det)
