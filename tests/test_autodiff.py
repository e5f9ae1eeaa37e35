"""The engine against torch.autograd on random expressions, and its promises one by one."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdbook import autodiff, data, linreg
from gdbook.autodiff import Value

# A random expression is a small program over a list of nodes that starts with the leaves:
# each instruction applies an operation to one or two earlier nodes (so a node may be used
# several times: fan-out) and appends the result. The same program runs on the engine and
# on PyTorch. Domain-restricted operations get an argument that is always in the domain,
# u * u + 0.5, built from the same operations on both sides.


def positive(u):
    return u * u + 0.5


UNARY = {
    "neg": lambda u: -u,
    "exp": lambda u: u.exp(),
    "log": lambda u: positive(u).log(),
    "tanh": lambda u: u.tanh(),
    "sigmoid": lambda u: u.sigmoid(),
    "relu": lambda u: u.relu(),
    "square": lambda u: u**2,
    "cube": lambda u: u**3,
    "sqrt": lambda u: positive(u) ** 0.5,
    "inverse": lambda u: positive(u) ** -1,
    "pow1.5": lambda u: positive(u) ** 1.5,
    "plus_number": lambda u: 1.5 + u,
    "number_minus": lambda u: 2.0 - u,
    "times_number": lambda u: -0.75 * u,
    "number_over": lambda u: 3.0 / positive(u),
    "over_number": lambda u: u / 4.0,
}
BINARY = {
    "add": lambda u, v: u + v,
    "sub": lambda u, v: u - v,
    "mul": lambda u, v: u * v,
    "div": lambda u, v: u / positive(v),
}
TORCH_METHODS = {"exp": torch.exp, "log": torch.log, "tanh": torch.tanh}


class TorchValue:
    """A float64 tensor with the engine's method names, so one program runs on both."""

    def __init__(self, t):
        self.t = t

    def _wrap(self, other):
        return other.t if isinstance(other, TorchValue) else other

    def __add__(self, o):
        return TorchValue(self.t + self._wrap(o))

    def __radd__(self, o):
        return TorchValue(o + self.t)

    def __sub__(self, o):
        return TorchValue(self.t - self._wrap(o))

    def __rsub__(self, o):
        return TorchValue(o - self.t)

    def __mul__(self, o):
        return TorchValue(self.t * self._wrap(o))

    def __rmul__(self, o):
        return TorchValue(o * self.t)

    def __truediv__(self, o):
        return TorchValue(self.t / self._wrap(o))

    def __rtruediv__(self, o):
        return TorchValue(o / self.t)

    def __pow__(self, n):
        return TorchValue(self.t**n)

    def __neg__(self):
        return TorchValue(-self.t)

    def exp(self):
        return TorchValue(torch.exp(self.t))

    def log(self):
        return TorchValue(torch.log(self.t))

    def tanh(self):
        return TorchValue(torch.tanh(self.t))

    def sigmoid(self):
        return TorchValue(torch.sigmoid(self.t))

    def relu(self):
        return TorchValue(torch.relu(self.t))


N_LEAVES = 3


@st.composite
def programs(draw):
    n_nodes, program = N_LEAVES, []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            op = draw(st.sampled_from(sorted(UNARY)))
            program.append((op, draw(st.integers(0, n_nodes - 1))))
        else:
            op = draw(st.sampled_from(sorted(BINARY)))
            i, j = draw(st.integers(0, n_nodes - 1)), draw(st.integers(0, n_nodes - 1))
            program.append((op, i, j))
        n_nodes += 1
    return program


def run(program, leaves):
    nodes = list(leaves)
    for op, *args in program:
        fn = UNARY.get(op) or BINARY[op]
        nodes.append(fn(*(nodes[k] for k in args)))
    return nodes[-1]


def engine_gradient(program, point):
    leaves = [Value(x) for x in point]
    out = run(program, leaves)
    out.backward()
    return out.data, np.array([leaf.grad for leaf in leaves])


def torch_gradient(program, point):
    leaves = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    out = run(program, [TorchValue(leaves[k]) for k in range(len(point))]).t
    (grad,) = torch.autograd.grad(out, leaves)
    return out.item(), grad.numpy()


# Measured over 20,000 random programs (seeded numpy draws of the same kind): values agree
# to 1.3e-15 relative, gradients to 7.5e-15 of max(1, largest entry): rounding order only.
@settings(max_examples=300, deadline=None)
@given(programs(), st.lists(st.floats(-2.0, 2.0), min_size=N_LEAVES, max_size=N_LEAVES))
def test_gradients_equal_torch_autograd_on_random_expressions(program, point):
    try:
        value, grad = engine_gradient(program, point)
    except (OverflowError, ValueError):  # exp overflowed, or a result is not finite
        assume(False)
    expected_value, expected_grad = torch_gradient(program, point)
    assume(np.all(np.isfinite(expected_grad)))
    scale = max(1.0, float(np.max(np.abs(expected_grad))))
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-12 * scale)


def test_each_operation_against_torch():
    for name in {**UNARY, **BINARY}:
        program = [(name, 0) if name in UNARY else (name, 0, 1)]
        for point in ([0.7, -1.3, 0.0], [-0.4, 2.1, 0.0]):
            value, grad = engine_gradient(program, point)
            expected_value, expected_grad = torch_gradient(program, point)
            assert value == pytest.approx(expected_value, rel=1e-15), name
            np.testing.assert_allclose(grad, expected_grad, rtol=1e-14, atol=0, err_msg=name)


def test_a_value_used_twice_gets_the_sum_of_both_paths():
    # f = a·b + a with b = 3a: a feeds the product directly, through b, and the sum.
    a = Value(2.0)
    b = a * 3.0
    f = a * b + a
    f.backward()
    assert f.data == 14.0
    assert a.grad == 13.0  # ∂f/∂a = b + 3a + 1 = 6 + 6 + 1
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (t * (t * 3.0) + t).backward()
    assert a.grad == t.grad.item()
    # x * x has the same parent twice: 2x, not x (which overwriting would give).
    x = Value(5.0)
    (x * x).backward()
    assert x.grad == 10.0


def test_backward_starts_from_zero_every_time():
    x = Value(3.0)
    y = x.tanh() * x
    y.backward()
    first = x.grad
    y.backward()
    assert x.grad == first
    assert y.grad == 1.0


def test_backward_does_not_check_for_overflow():
    # Every value and local derivative is finite; their product, the gradient, is not.
    a = Value(1e-300)
    out = (a * 1e200) * 1e200
    out.backward()
    assert math.isfinite(out.data) and a.grad == math.inf


def test_deep_graphs_need_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(50_000):
        y = y + x
    y.backward()
    assert y.data == 50_001.0
    assert x.grad == 50_001.0


def test_topological_order_lists_every_value_once_after_its_parents():
    w, x, b = Value(2.0, label="w"), Value(-1.0, label="x"), Value(0.5, label="b")
    z = w * x + b
    out = z.sigmoid() * z
    order = out.topological_order()
    assert len(order) == len({id(v) for v in order}) == 7
    assert order[-1] is out
    position = {id(v): k for k, v in enumerate(order)}
    for v in order:
        assert all(position[id(p)] < position[id(v)] for p in v.parents)
    assert [v.op for v in order if v.op] == ["×", "+", "σ", "×"]
    assert {v.label for v in order if not v.parents} == {"w", "x", "b"}


def test_numbers_of_any_real_type_mix_with_values():
    x = Value(2.0)
    for other in (3, 3.0, np.float64(3.0), np.int64(3)):
        assert (other * x).data == (x * other).data == 6.0
        assert (other + x).data == (x - other).data + 6.0
    assert sum([x, x, x]).data == 6.0


def test_value_and_grad_matches_the_regression_gradient(rng):
    x, y = data.line_data(20, rng=rng)
    theta = np.array([9.5, 40.0])

    def loss(w, b):
        return sum(((w * xi + b - yi) ** 2 for xi, yi in zip(x, y, strict=True)), Value(0.0)) / len(
            x
        )

    value, grad = autodiff.value_and_grad(loss, theta)
    X = linreg.design_matrix(x)
    assert value == pytest.approx(linreg.mse(theta, X, y), rel=1e-13)
    np.testing.assert_allclose(grad, linreg.mse_grad(theta, X, y), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Value(0.0).log(), ValueError, r"^log of a non-positive value"),
        (lambda: Value(-1.0).log(), ValueError, r"^log of a non-positive value"),
        (lambda: Value(2.0) ** Value(3.0), TypeError, r"^the exponent must be a number"),
        (lambda: Value(2.0) ** "3", TypeError, r"^the exponent must be a real number"),
        (lambda: Value(-2.0) ** 0.5, ValueError, r"negative base to a non-integer power"),
        (lambda: Value(0.0) ** -1, ValueError, r"^0 \*\* -1"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"^division by a Value that is 0"),
        (lambda: Value(1.0) + np.ones(2), TypeError, r"numpy array of shape \(2,\)"),
        (lambda: np.ones(2) * Value(1.0), TypeError, r"numpy array of shape \(2,\)"),
        (lambda: Value(np.array(1.0)), TypeError, r"^data must be a single number"),
        (lambda: Value("1"), TypeError, r"^data must be a real number"),
        (lambda: Value(True), TypeError, r"^data must be a real number or a Value, got bool"),
        (lambda: Value(1.0) * False, TypeError, r"^the other operand must be a real num"),
        (lambda: Value(math.nan), ValueError, r"^data must be finite"),
        (lambda: Value(1e200) * 1e200, ValueError, r"^the result of '×' must be finite"),
        (lambda: Value(710.0).exp(), ValueError, r"^the result of 'exp' must be finite"),
        (lambda: Value(10.0) ** 400, ValueError, r"^the result of '\^400' must be finite"),
        (lambda: Value(1e-200) ** -1, ValueError, r"^the result of '\^-1' .* or its deriv"),
        (lambda: Value(1.0) / 1e-200, ValueError, r"^the derivatives of '÷' must be finite"),
        (lambda: Value(1e-320).log(), ValueError, r"^the derivatives of 'log' must be fini"),
        (lambda: 2.0 ** Value(3.0), TypeError, r"^the exponent must be a number, not a V"),
        (lambda: Value(1.0) + None, TypeError, r"^the other operand must be a real number"),
        (lambda: autodiff.value_and_grad(lambda w: 1.0, [1.0]), TypeError, r"^f must return"),
        (lambda: autodiff.value_and_grad(lambda w: w, []), ValueError, r"^theta"),
    ],
)
def test_bad_input_says_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()
