"""The width estimate of render.texwidth, rule by rule: widths in em worked out by hand from its tables."""

import pytest

from symdrop.render.texwidth import width


@pytest.mark.parametrize(
    "text, style, expected",
    [
        ("x", "display", 0.5),  # a character: 0.5 em
        ("x + 1", "display", 0.5 + 1.22 + 0.5),  # a binary operator with its spaces
        (r"\frac{1}{2}", "display", 0.5 + 0.2),  # as wide as its wider part
        (r"\frac{1}{2}", "text", 0.7 * 0.5 + 0.2),  # its parts a size smaller outside display style
        (r"\frac{1}{2}", "script", 0.5 * 0.5 + 0.2 * 0.7),  # never smaller than half size
        ("x^{2}", "display", 0.5 + 0.7 * 0.5),  # a script at 0.7
        ("x^{2}_{1}", "display", 0.5 + 0.7 * 0.5),  # scripts stacked, not side by side
        (r"\begin{pmatrix}1\\2\end{pmatrix}", "display", 0.5 + 0.8),  # a column and its parentheses
        (r"\begin{pmatrix}1 & 2\end{pmatrix}", "display", 0.5 + 0.5 + 0.9 + 0.8),  # columns apart
        (r"\operatorname{ReLU}(x)", "display", 0.55 * 4 + 0.39 + 0.5 + 0.39),  # text by its letters
        (r"\alpha", "display", 0.6),  # a command not in the table
        (r"\textcolor{red}{1}", "display", 0.5),  # the colour takes no room
    ],
)
def test_width_in_em(text, style, expected):
    assert width(text, style) == pytest.approx(expected)
