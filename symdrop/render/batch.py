"""The documents and the JSON of a batch: each per-example vector as a list of rows, one per example."""

from ..core import losses
from ..core.batch import BatchBackprop, BatchDerivation, BatchEnsemble
from .env import render_document
from .numbertext import decimal, needs_decimal, plain
from .numbertext import decimals as decimal_texts
from .options import RenderOptions


def examples(matrix, text=plain) -> list[list[str]]:
    """The columns of ``matrix`` (examples) as rows of texts, one row per example."""
    return [[text(v) for v in matrix.col(e)] for e in range(matrix.cols)]


def _rows(matrix, text=plain) -> list[list[str]]:
    return [[text(v) for v in matrix.row(i)] for i in range(matrix.rows)]


def batch_solution_json(derivation: BatchDerivation) -> dict:
    """``{"prediction": [[...] per example], "layers": [{"masked_input", "pre_activation",
    "activation"}]}`` (with DropConnect also ``"masked_weights"``, one matrix per example), every number an exact string; ``"decimal"`` the same to 15 digits where a
    value is irrational."""
    data = _solution_values(derivation, plain)
    matrices = [derivation.prediction] + [m for layer in derivation.layers for m in (layer.masked, layer.Z, layer.A)]
    if any(needs_decimal(m) for m in matrices):
        data["decimal"] = _solution_values(derivation, decimal)
    return data


def _solution_values(derivation: BatchDerivation, text) -> dict:
    layers = []
    for index, layer in enumerate(derivation.layers):
        values = {}
        if derivation.batch.dropout.connections:  # each example's own W~, row by row
            values["masked_weights"] = [_rows(d.steps[index].W, text) for d in derivation.examples]
        values.update({"masked_input": examples(layer.masked, text), "pre_activation": examples(layer.Z, text),
                       "activation": examples(layer.A, text)})
        layers.append(values)
    return {"prediction": examples(derivation.prediction, text), "layers": layers}


def batch_backprop_json(backprop: BatchBackprop) -> dict:
    """``{"loss": the mean, "losses": per example, "prediction", "target", "layers": [{"delta" per
    example, "grad_weights", "grad_bias" (of the mean loss)}], "grad_input" per example}``; with a
    step ``"after_step"``; ``"decimal"`` where a value is irrational."""
    data = {
        "loss": plain(backprop.loss),
        "losses": [plain(v) for v in backprop.losses],
        "prediction": examples(backprop.prediction),
        "target": examples(backprop.target),
        "layers": [{"delta": examples(s.delta), "grad_weights": _rows(s.grad_weights),
                    "grad_bias": [plain(v) for v in s.grad_bias]} for s in backprop.by_layer],
        "grad_input": examples(backprop.grad_input),
    }
    if backprop.after_step is not None:
        data["after_step"] = {
            "rate": plain(backprop.rate),
            "layers": [{"weights": _rows(layer.W), "bias": [plain(v) for v in layer.b]}
                       for layer in backprop.after_step.layers],
            "prediction": examples(backprop.prediction_after_step),
        }
    if needs_decimal(backprop.loss) or needs_decimal(backprop.prediction):
        data["decimal"] = {
            "loss": decimal(backprop.loss), "losses": [decimal(v) for v in backprop.losses],
            "prediction": examples(backprop.prediction, decimal),
            "layers": [{"delta": examples(s.delta, decimal), "grad_weights": _rows(s.grad_weights, decimal),
                        "grad_bias": decimal_texts(s.grad_bias)} for s in backprop.by_layer],
            "grad_input": examples(backprop.grad_input, decimal),
        }
    return data


def batch_expect_json(ensemble: BatchEnsemble) -> dict:
    """``{"exact_mean", "approximation", "difference"}`` as rows, one per example, exact strings;
    ``"decimal"`` where irrational."""
    values = {"exact_mean": ensemble.exact_mean, "approximation": ensemble.approximation,
              "difference": ensemble.difference}
    data = {key: examples(value) for key, value in values.items()}
    data["maskable_units"] = ensemble.maskable_units
    data["convention"] = ensemble.network.dropout.convention.name
    if any(needs_decimal(v) for v in values.values()):
        data["decimal"] = {key: examples(value, decimal) for key, value in values.items()}
    return data


def render_batch_solution(derivation: BatchDerivation, fmt: str, options: RenderOptions = RenderOptions()) -> str:
    """The worked forward pass of a batch, each layer a matrix product over the examples."""
    return render_document("batch", fmt, options, d=derivation, network=derivation.batch)


def render_batch_backprop(backprop: BatchBackprop, fmt: str, options: RenderOptions = RenderOptions()) -> str:
    """The worked backward pass of a batch: the mean loss and the mean gradients."""
    return render_document("batch-backprop", fmt, options, d=backprop, network=backprop.batch,
                           objective=losses.named(backprop.batch.loss))


def render_batch_expect(ensemble: BatchEnsemble, fmt: str, options: RenderOptions = RenderOptions()) -> str:
    """Each example's exact mean over every mask beside the test-time approximation."""
    return render_document("batch-expect", fmt, options, d=ensemble, network=ensemble.batch)
