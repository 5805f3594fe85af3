"""verify checks a keep probability per unit and DropConnect against real PyTorch: the spec's
masks as tensors (nn.Dropout has one p per tensor, and PyTorch has no DropConnect module), every
layer of every pass, the loss and autograd's gradients; a wrong pass is caught."""

import json

import pytest

from symdrop.core import verify as verify_module
from symdrop.model.spec import parse_spec

from . import reference_model as ref
from .conftest import require_torch

SPECS = [("per-unit", ref.per_unit_spec, seed) for seed in range(4)] + \
        [("dropconnect", ref.dropconnect_spec, seed) for seed in range(4)]


def _with_target(spec: dict) -> dict:
    """The spec with a target (one value per output) and the squared loss, for autograd's rows."""
    if "target" not in spec:
        spec = dict(spec, target=[1] * len(spec["layers"][-1]["bias"]))
    return dict(spec, loss="squared")


@pytest.mark.slow
@pytest.mark.parametrize("name, make, seed", SPECS)
def test_verify_passes_every_pass_and_gradient(name, make, seed):
    require_torch()
    network = parse_spec(json.loads(json.dumps(_with_target(make(seed)))))
    report = verify_module.verify(network)
    checks = {row.check for row in report.rows}
    assert report.ok, report.table(name)
    assert "train, spec masks" in checks and any("autograd" in c for c in checks)


@pytest.mark.slow
def test_verify_catches_a_dropconnect_pass_that_forgets_the_mask(monkeypatch):
    """The same comparison with PyTorch's weights left unmasked fails: the check can fail."""
    require_torch()
    spec = next(spec for spec in map(ref.dropconnect_spec, range(50))
                if any(0 in row for mask in spec["masks"] for row in mask))
    network = parse_spec(json.loads(json.dumps(_with_target(spec))))
    original = verify_module._pass

    def unmasked(torch, network, mode, x=None):
        from dataclasses import replace
        ones = tuple(m.applyfunc(lambda _: 1) for m in network.masks)
        return original(torch, replace(network, masks=ones), mode, x)

    monkeypatch.setattr(verify_module, "_pass", unmasked)
    assert not verify_module.verify(network).ok
