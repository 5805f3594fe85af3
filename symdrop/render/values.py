"""Derivations and ensembles as plain data (the JSON format): every number an exact string."""

from ..core.backprop import Backprop
from ..core.derive import Derivation
from ..core.ensemble import Ensemble
from ..numbers import to_sympy
from .numbertext import decimal, needs_decimal, plain
from .numbertext import decimals as decimal_texts


def solution_json(derivation: Derivation) -> dict:
    """``{"prediction": [...], "layers": [...]}`` with every number an exact string.

    When a value is irrational (sigmoid, tanh), ``"decimal"`` repeats the same shape with each
    number to 15 significant digits.
    """
    data = _values_json(derivation, plain)
    values = [derivation.prediction] + [
        q.value for step in derivation.steps for q in (step.masked_input, step.pre_activation, step.activation)
    ]
    if any(needs_decimal(v) for v in values):
        data["decimal"] = _values_json(derivation, lambda v: decimal_texts(v)[0])
    return data


def _values_json(derivation: Derivation, text) -> dict:
    return {"prediction": [text(v) for v in derivation.prediction],
            "layers": [_layer_json(step, text) for step in derivation.steps]}


def _layer_json(step, text) -> dict:
    """One layer's values; with DropConnect also the weights the pass multiplied by, row by row."""
    layer = {}
    if step.weight_mask is not None:  # DropConnect: W~ (W itself at test time when inverted)
        W = step.W
        layer["masked_weights"] = [[text(v) for v in W.row(i)] for i in range(W.rows)]
    layer["masked_input"] = [text(v) for v in step.masked_input.value]
    layer["pre_activation"] = [text(v) for v in step.pre_activation.value]
    layer["activation"] = [text(v) for v in step.activation.value]
    return layer


def expect_json(ensemble: Ensemble) -> dict:
    """``{"exact_mean": [...], "approximation": [...], "maskable_units": n, ...}``, exact strings.

    Also the difference, the convention, and with ``--symbolic-q`` the symbols' values and the
    mean at them; with ``--samples`` the Monte-Carlo estimate; ``"decimal"`` for irrational values.
    """
    values = {
        "exact_mean": ensemble.exact_mean,
        "approximation": ensemble.approximation,
        "difference": ensemble.difference,
    }
    data = {key: [plain(v) for v in value] for key, value in values.items()}
    data["maskable_units"] = ensemble.maskable_units
    data["convention"] = ensemble.network.dropout.convention.name
    if ensemble.symbolic_q:
        data["keep"] = {
            plain(q): plain(value) for q, value in zip(ensemble.keep, ensemble.network.dropout.keep) if q.free_symbols
        }
        data["exact_mean_at_keep"] = [plain(v) for v in ensemble.at_keep]
        values = {"exact_mean_at_keep": ensemble.at_keep}
    if any(needs_decimal(v) for v in values.values()):
        data["decimal"] = {key: decimal_texts(value) for key, value in values.items()}
    if ensemble.nwgm is not None:
        mean_s, nwgm = ensemble.nwgm
        data["nwgm"] = {"mean_pre_activation": plain(mean_s), "geometric": plain(nwgm), "decimal": decimal(nwgm)}
    mc = ensemble.monte_carlo
    if mc is not None:
        data["monte_carlo"] = {
            "samples": mc.samples,
            "seed": mc.seed,
            "mean": [plain(v) for v in mc.mean],
            # s^2 / T: the sample's estimate; the exact Var(y) / T over every mask beside it
            "estimated_variance_of_mean": [plain(v) for v in mc.estimated_variance_of_mean],
            "exact_variance_of_mean": None if mc.exact_variance_of_mean is None else [
                plain(v) for v in mc.exact_variance_of_mean],
            "standard_error": [decimal(v) for v in mc.standard_error],
            "distinct_masks": mc.distinct_masks,
        }
    return data


def backprop_json(backprop: Backprop) -> dict:
    """``{"loss", "prediction", "target", "layers": [{"delta", "grad_weights", "grad_bias"}],
    "grad_input"}`` (layers first hidden layer first), every number an exact string; with a step
    also ``"after_step": {"rate", "layers": [{"weights", "bias"}], "prediction"}``; ``"decimal"``
    holds the loss and prediction to 15 digits where they are irrational (bce, sigmoid)."""
    rows = lambda m: [[plain(v) for v in m.row(i)] for i in range(m.rows)]  # noqa: E731
    data = {
        "loss": plain(backprop.loss),
        "prediction": [plain(v) for v in backprop.prediction],
        "target": [plain(v) for v in backprop.target],
        "layers": [
            {"delta": [plain(v) for v in s.delta], "grad_weights": rows(s.grad_weights),
             "grad_bias": [plain(v) for v in s.grad_bias]}
            for s in backprop.by_layer
        ],
        "grad_input": [plain(v) for v in backprop.grad_input],
    }
    if backprop.after_step is not None:
        data["after_step"] = {
            "rate": plain(backprop.rate),
            "layers": [{"weights": rows(layer.W), "bias": [plain(v) for v in layer.b]}
                       for layer in backprop.after_step.layers],
            "prediction": [plain(v) for v in backprop.prediction_after_step],
        }
    if needs_decimal(backprop.loss) or needs_decimal(backprop.prediction):  # the same shape, 15 digits
        rows15 = lambda m: [decimal_texts(m.row(i)) for i in range(m.rows)]  # noqa: E731
        data["decimal"] = {
            "loss": decimal(backprop.loss), "prediction": decimal_texts(backprop.prediction),
            "layers": [{"delta": decimal_texts(s.delta), "grad_weights": rows15(s.grad_weights),
                        "grad_bias": decimal_texts(s.grad_bias)} for s in backprop.by_layer],
            "grad_input": decimal_texts(backprop.grad_input),
        }
        if backprop.after_step is not None:
            data["decimal"]["after_step"] = {"prediction": decimal_texts(backprop.prediction_after_step)}
    return data


def moments_json(statistics) -> dict:
    """``symdrop moments --format json``: every mean, variance and probability an exact string
    (tests/MOMENTS_CONTRACT.md has the shape); ``"decimal"`` repeats the irrational ones' keys
    with 15-digit decimals."""
    exact = _moments_data(statistics, plain)
    decimals = _moments_data(statistics, lambda v: decimal_texts(v)[0] if needs_decimal(v) else plain(v))
    if decimals != exact:
        exact["decimal"] = {key: value for key, value in decimals.items() if value != exact[key]}
    return exact


def _moments_data(s, text) -> dict:
    m, network = s.moments, s.network
    vector = lambda v: [text(e) for e in v]  # noqa: E731
    rows = lambda M: [[text(e) for e in M.row(i)] for i in range(M.rows)]  # noqa: E731
    pair = lambda p: {"mean": vector(p[0]), "variance": vector(p[1])}  # noqa: E731
    data = {"convention": network.dropout.convention.name, "scheme": network.dropout.scheme,
            "maskable": m.maskable, "masks": m.masks}
    if m.examples > 1 or not s.layers:
        data["examples"] = m.examples
    else:
        data["layers"] = [{"z": pair(layer.z), "a": pair(layer.a)} for layer in s.layers]
        if not network.dropout.connections:
            data["masked"] = [pair(layer.masked) for layer in s.layers]
        mean, variance = s.prediction
        data["prediction"] = {
            "mean": vector(mean), "variance": vector(variance), "covariance": rows(s.covariance),
            "distribution": None if s.distribution is None else [
                {"value": vector(value), "probability": text(p)} for value, p in s.distribution],
        }
    if s.loss is not None:
        data["loss"] = {"mean": text(s.loss[0]), "variance": text(s.loss[1])}
    if s.gradients is not None:
        data["gradients"] = [{"weights": {"mean": rows(wm), "variance": rows(wv)},
                              "bias": {"mean": vector(bm), "variance": vector(bv)}} for wm, wv, bm, bv in s.gradients]
    if m.nwgm is not None:
        data["nwgm"] = {"arithmetic_mean": text(m.nwgm.arithmetic), "geometric": text(m.nwgm.geometric),
                        "sigmoid_of_mean": text(m.nwgm.geometric), "mean_pre_activation": text(m.nwgm.mean_s)}
    if m.penalty is not None:
        data["penalty"] = _penalty_data(m.penalty, text)
    if m.noise is not None:
        data["noise"] = _noise_data(m.noise, text)
    return data


def _penalty_data(p, text) -> dict:
    rows = lambda M: [[text(to_sympy(e)) for e in row] for row in M]  # noqa: E731
    return {
        "expected_loss": text(to_sympy(p.expected_loss)), "loss_of_mean_model": text(to_sympy(p.loss_of_mean_model)),
        "penalty": text(to_sympy(p.penalty)), "loss_variance": text(to_sympy(p.loss_variance)),
        "minimiser": None if p.minimiser is None else {"weights": rows(p.minimiser), "bias": [text(to_sympy(v)) for v in p.bias]},
        "expected_gradient": rows(p.expected_gradient), "penalised_gradient": rows(p.penalised_gradient),
    }


def _noise_data(n, text) -> dict:
    t = lambda v: text(to_sympy(v))  # noqa: E731
    return {
        "q": t(n.q), "kept": {"all_dropped": t(n.all_dropped), "expected_kept": t(n.expected_kept)},
        "gaussian": {"noise_variance": t(n.noise_variance), "z_mean": [t(v) for v in n.z_mean],
                     "z_variance": [t(v) for v in n.z_variance]},
        "alpha": {"alpha_prime": t(n.alpha_prime), "a_squared": t(n.a_squared), "a": t(n.a), "b": t(n.b)},
        "spatial": {"elementwise_variance": t(n.elementwise_variance), "shared_variance": t(n.shared_variance)},
    }
