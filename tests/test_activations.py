"""Activations decide signs exactly, also for values SymPy's comparisons cannot order."""

import pytest
import sympy

from symdrop import derive, parse_spec
from symdrop.model.activations import ACTIVATIONS, activation, sign


@pytest.mark.parametrize(
    "z, expected",
    [
        (sympy.Rational(-1, 3), -1),
        (sympy.Integer(0), 0),
        (sympy.tanh(0), 0),
        (1 - sympy.tanh(228), 1),  # about 2e-198: Max(0, z) raises "not comparable" here
        (sympy.tanh(228) - 1, -1),
        (sympy.exp(-1000), 1),
        (1 / (1 + sympy.exp(-3)) - sympy.Rational(1, 2), 1),
    ],
)
def test_sign(z, expected):
    assert sign(z) == expected


def test_relu_and_leaky_relu_of_a_tiny_number():
    z = 1 - sympy.tanh(228)
    assert ACTIVATIONS["relu"].apply(z) == z and ACTIVATIONS["relu"].apply(-z) == 0
    assert activation("leaky_relu", sympy.Rational(1, 10)).apply(-z) == -z / 10


def test_a_network_that_saturates_tanh_derives():
    # z1 = 228 so a1 = tanh(228); z2 = 1 - a1 > 0 by about 2e-198, which ReLU keeps.
    spec = {
        "input": [1],
        "layers": [
            {"weights": [[228]], "bias": [0], "activation": "tanh"},
            {"weights": [[-1]], "bias": [1], "activation": "relu"},
            {"weights": [[1]], "bias": [0], "activation": "identity"},
        ],
        "masks": [[1], [1], [1]],
    }
    assert derive(parse_spec(spec)).prediction[0] == 1 - sympy.tanh(228)
