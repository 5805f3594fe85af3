"""An independent backward pass through dropout in plain ``fractions``, from the formulas alone;
the answer and the mistakes of the kind backprop computed by it from a spec (at the end).

It shares no code with symdrop: the forward pass is :func:`tests.reference.forward` (itself written
from docs/dropout.md), and the backward pass below is the textbook chain rule, written out:

    L = 1/2 sum_i (y_i - t_i)^2                        (squared loss)
    delta^(L) = (y - t) * g'(z^(L))
    dL/dW^(l) = delta^(l) a~^(l-1)^T,  dL/db^(l) = delta^(l)
    dL/da~^(l-1) = W^(l)^T delta^(l)
    dL/da^(l-1) = mu^(l-1) * dL/da~^(l-1)  (also / q^(l-1) with inverted dropout)
    delta^(l-1) = dL/da^(l-1) * g'(z^(l-1))
    dL/dx = mu^(0) * W^(1)^T delta^(1)  (/ q^(0) with inverted dropout)

with ReLU'(0) = 0 and leaky ReLU'(z) = slope for z <= 0, sigma' = sigma (1 - sigma) and
tanh' = 1 - tanh^2 (50-digit mpmath numbers). Weight scaling trains with plain masks.
"""

from fractions import Fraction

from .reference import SMOOTH, Spec, flipped_masks, forward, g, swapped_masks


def g_prime(activation, z: Fraction) -> Fraction:
    """The derivative used going back: relu, identity, ("leaky_relu", slope), sigmoid or tanh."""
    if activation == "identity":
        return Fraction(1)
    if activation == "sigmoid":
        return g(activation, z) * (1 - g(activation, z))
    if activation == "tanh":
        return 1 - g(activation, z) ** 2
    if activation == "relu":
        return Fraction(1) if z > 0 else Fraction(0)
    name, slope = activation
    assert name == "leaky_relu"
    return Fraction(1) if z > 0 else Fraction(slope)


def loss(x, layers, masks, target, convention="plain", keep=None) -> Fraction:
    """The squared loss of the training pass (the reference forward pass)."""
    y = forward(x, layers, masks, convention, keep, mode="train")[-1][2]
    return sum(((yi - ti) ** 2 for yi, ti in zip(y, target)), Fraction(0)) / 2


def backward(x, layers, masks, target, convention="plain", keep=None) -> dict:
    """Every gradient of the squared loss of the training pass, as plain Fractions.

    ``layers`` are (W rows, b, activation) as :mod:`tests.reference` takes them. Returns a dict:
    loss, prediction, and per layer (first hidden layer first) lists ``incoming`` (dL/da^(l)),
    ``derivative`` (g'(z^(l))), ``delta``, ``grad_weights`` (rows), ``grad_bias``, ``upstream``
    (W^T delta); and ``grad_input`` (dL/dx).
    """
    values = forward(x, layers, masks, convention, keep, mode="train")
    y = values[-1][2]
    t = [Fraction(v) if isinstance(v, (int, str, Fraction)) else v for v in target]
    result = {
        "loss": sum(((yi - ti) ** 2 for yi, ti in zip(y, t)), Fraction(0)) / 2,
        "prediction": list(y),
        "incoming": [None] * len(layers),
        "derivative": [None] * len(layers),
        "delta": [None] * len(layers),
        "grad_weights": [None] * len(layers),
        "grad_bias": [None] * len(layers),
        "upstream": [None] * len(layers),
    }
    dL_da = [yi - ti for yi, ti in zip(y, t)]  # dL/dy of 1/2 sum (y - t)^2
    for l in range(len(layers) - 1, -1, -1):  # 0-based: layer l + 1 of the formulas
        W, _b, activation = layers[l]
        masked, z, _a = values[l]
        slopes = [g_prime(activation, zi) for zi in z]
        delta = [d * s for d, s in zip(dL_da, slopes)]
        grad_W = [[d * v for v in masked] for d in delta]
        upstream = [sum((W[i][j] * delta[i] for i in range(len(delta))), Fraction(0))
                    for j in range(len(masked))]
        result["incoming"][l] = list(dL_da)
        result["derivative"][l] = slopes
        result["delta"][l] = delta
        result["grad_weights"][l] = grad_W
        result["grad_bias"][l] = list(delta)
        result["upstream"][l] = upstream
        # back through the mask mu^(l) on this layer's input (and inverted dropout's 1/q)
        dL_da = [m * v for m, v in zip(masks[l], upstream)]
        if convention == "inverted":
            q = Fraction(keep[l]) if keep is not None else Fraction(1)
            dL_da = [v / q for v in dL_da]
    result["grad_input"] = dL_da
    return result


def gradient_step(layers, gradients, rate):
    """The layers after W - rate dL/dW, b - rate dL/db."""
    rate = Fraction(rate)
    stepped = []
    for (W, b, activation), dW, db in zip(layers, gradients["grad_weights"], gradients["grad_bias"]):
        stepped.append((
            [[w - rate * d for w, d in zip(row, drow)] for row, drow in zip(W, dW)],
            [v - rate * d for v, d in zip(b, db)],
            activation,
        ))
    return stepped


# The kind backprop's answer (dL/dW^(1)) and mistakes, from a key's spec.

def activation(g):
    """A spec's activation as the reference takes it: {"leaky_relu": slope} -> ("leaky_relu", slope)."""
    return ("leaky_relu", Fraction(next(iter(g.values())))) if isinstance(g, dict) else g


def gradients(p: Spec, *, masks=None, target=None, mask_back=True, scale_back=True, unmasked=False,
              relu_one=False, smooth_as=None) -> list:
    """dL/dW^(1) (rows flattened) of the squared loss, with the changes a mistake makes
    (``smooth_as``: a sigmoid or tanh layer's g' taken as 1, "one", or as g(z), "value"); the
    forward pass is tests/reference.py's, the chain rule written out again here."""
    layers = [(W, b, activation(g)) for W, b, g in p.layers]
    masks = masks or p.masks
    t = [Fraction(v) if isinstance(v, (int, str, Fraction)) else v for v in (target or p.spec["target"])]
    if not (mask_back and scale_back and not unmasked and not relu_one and smooth_as is None):
        values = forward(p.x, layers, masks, p.convention, p.keep)
        dL = [yi - ti for yi, ti in zip(values[-1][2], t)]
        grad = None
        for l in range(len(layers) - 1, -1, -1):
            W, _, g = layers[l]
            masked, z, _ = values[l]
            slope = [Fraction(1) if relu_one and g == "relu" else g_prime(g, v) for v in z]
            if smooth_as is not None and g in SMOOTH:
                slope = [Fraction(1) if smooth_as == "one" else a for a in values[l][2]]
            delta = [d * s for d, s in zip(dL, slope)]
            inputs = masked if not unmasked else (p.x if l == 0 else values[l - 1][2])
            grad = [d * v for d in delta for v in inputs]
            up = [sum((W[i][j] * delta[i] for i in range(len(delta))), Fraction(0)) for j in range(len(masked))]
            dL = [m * v for m, v in zip(masks[l], up)] if mask_back else up
            if p.convention == "inverted" and scale_back:
                dL = [v / p.keep[l] for v in dL]
        return grad
    result = backward(p.x, layers, masks, t, p.convention, p.keep)
    return [v for row in result["grad_weights"][0] for v in row]


def expected_mistakes(p: Spec) -> dict:
    """What each mistake of the kind backprop gives (dL/dW^(1)), done by the reference: id -> answer."""
    y = forward(p.x, [(W, b, activation(g)) for W, b, g in p.layers], p.masks, p.convention, p.keep)[-1][2]
    flipped = [2 * yi - Fraction(t) for yi, t in zip(y, p.spec["target"])]  # y - t' = t - y
    found = {
        "backward_forgot_mask": gradients(p, mask_back=False),
        "backward_forgot_scale": gradients(p, scale_back=False),
        "unmasked_input": gradients(p, unmasked=True),
        "sign_flipped": gradients(p, target=flipped),
        "forward_forgot_mask": gradients(p, masks=p.ones()),
        "masks_flipped": gradients(p, masks=flipped_masks(p)),
        **{name: gradients(p, masks=masks) for name, masks in swapped_masks(p).items()},
    }
    smooth = [name for _, _, name in p.layers if name in SMOOTH]
    if smooth:  # sigma' (tanh') = 1, and sigma' taken as sigma itself
        found[f"{smooth[0]}_derivative_one"] = gradients(p, smooth_as="one")
        found[f"{smooth[0]}_derivative_value"] = gradients(p, smooth_as="value")
    else:
        found["relu_derivative_one"] = gradients(p, relu_one=True)
    return found
