"""The binary cross-entropy from logits against torch.nn.functional, extended precision and
central differences; its gradient against torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdbook import calculus, data, functions, logistic

LOGITS = hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-800.0, 800.0))


def labels_like(z, draw_bits):
    return np.array([float(b) for b in draw_bits[: z.size]])


def reference(z, y):
    """Each sample's loss, ln(1 + e^(±z)), in longdouble (64-bit significand)."""
    t = (1 - 2 * np.asarray(y, np.longdouble)) * np.asarray(z, np.longdouble)
    return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))


def torch_loss(z, y):
    zt, yt = torch.tensor(z, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    return F.binary_cross_entropy_with_logits(zt, yt).item()


@settings(max_examples=200, deadline=None)
@given(LOGITS, st.lists(st.booleans(), min_size=30, max_size=30))
def test_loss_equals_torch_for_any_logits(z, bits):
    y = labels_like(z, bits)
    ours = logistic.cross_entropy_with_logits(z, y)
    # PyTorch computes (1 − y) z − log σ(z), which loses the digits of a tiny loss when
    # y = 0 (−40 + 40 = 0 instead of 4e-18): the difference is absolute, and small.
    assert ours == pytest.approx(torch_loss(z, y), rel=1e-14, abs=1e-16 * (1 + np.abs(z).max()))


@settings(max_examples=200, deadline=None)
@given(st.floats(-745.0, 745.0), st.booleans())
def test_each_loss_and_gradient_keep_their_digits(z, label):
    y = float(label)
    loss = logistic.cross_entropy_with_logits(z, y)
    assert loss == pytest.approx(float(reference(z, y)), rel=4e-16, abs=0)
    # The gradient σ(z) − y, even where it is 1e-300 or 1 − 1e-18; the reference uses
    # σ(z) − 1 = −σ(−z), since σ(z) − 1 cancels even in extended precision.
    zl = np.longdouble(z)
    expected = -1 / (1 + np.exp(zl)) if label else 1 / (1 + np.exp(-zl))
    (grad,) = logistic.cross_entropy_with_logits_grad(z, y)
    assert grad == pytest.approx(float(expected), rel=1e-15, abs=0)


def test_where_the_naive_formula_fails():
    # σ(−800) rounds to 0, so −ln σ(−800) would be infinite; the logits form is exact.
    assert functions.sigmoid(-800.0) == 0.0
    assert logistic.cross_entropy_with_logits(-800.0, 1) == 800.0
    assert logistic.cross_entropy_with_logits_grad(-800.0, 1).tolist() == [-1.0]
    assert torch_loss([-800.0], [1.0]) == 800.0
    # Confidently right: a loss far below the spacing of floats near 1 survives.
    assert logistic.cross_entropy_with_logits(40.0, 1) == pytest.approx(4.248354255291589e-18)
    assert logistic.cross_entropy_with_logits(-40.0, 0) == pytest.approx(4.248354255291589e-18)


def two_class_problem(rng):
    X, y = data.two_classes(60, rng=rng)
    return np.column_stack([X, np.ones(len(X))]), y


def test_gradient_equals_torch_autograd_and_central_differences(rng):
    X, y = two_class_problem(rng)
    for _ in range(5):
        theta = rng.normal(0.0, 2.0, size=3)
        t = torch.tensor(theta, requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(torch.tensor(X) @ t, torch.tensor(y))
        loss.backward()
        assert logistic.cross_entropy(theta, X, y) == pytest.approx(loss.item(), rel=1e-14)
        grad = logistic.cross_entropy_grad(theta, X, y)
        np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-13, atol=1e-16)
        numeric = calculus.numerical_gradient(lambda th: logistic.cross_entropy(th, X, y), theta)
        assert calculus.relative_error(grad, numeric) < 1e-8
        assert calculus.relative_error_per_coordinate(grad, numeric).max() < 1e-6


def test_gradient_is_sigma_minus_y_times_x(rng):
    X, y = two_class_problem(rng)
    theta = np.array([0.5, -1.0, 0.2])
    expected = ((functions.sigmoid(X @ theta) - y)[:, None] * X).mean(axis=0)
    np.testing.assert_allclose(logistic.cross_entropy_grad(theta, X, y), expected, rtol=1e-13)


def test_zero_weights_give_ln_2_and_probabilities_one_half(rng):
    X, y = two_class_problem(rng)
    assert logistic.cross_entropy(np.zeros(3), X, y) == pytest.approx(np.log(2), rel=1e-15)
    np.testing.assert_array_equal(logistic.probabilities(np.zeros(3), X), 0.5)


def test_accuracy_counts_predictions_on_the_right_side(rng):
    X, y = two_class_problem(rng)
    theta = np.array([1.0, 0.5, -3.25])
    predicted = (X @ theta > 0).astype(float)
    assert logistic.accuracy(theta, X, y) == np.mean(predicted == y)
    assert logistic.accuracy(theta, X, predicted) == 1.0
    assert logistic.accuracy(theta, X, 1 - predicted) == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: logistic.cross_entropy_with_logits([1.0], [0.5]), r"^y must hold labels 0 or 1"),
        (lambda: logistic.cross_entropy_with_logits([1.0], [2]), r"^y must hold labels 0 or 1"),
        (lambda: logistic.cross_entropy_with_logits([1.0, 2.0], [1]), r"^logits and y must have"),
        (lambda: logistic.cross_entropy_with_logits([], []), r"^logits and y must hold"),
        (lambda: logistic.cross_entropy_with_logits([np.inf], [1]), r"^logits must be finite"),
        (lambda: logistic.cross_entropy_with_logits_grad([[1.0]], [[1]]), r"^logits must have"),
        (lambda: logistic.cross_entropy([1.0], [[1.0, 2.0]], [1]), r"^theta has 1 values"),
        (lambda: logistic.cross_entropy([1.0], [[1.0]], [1, 0]), r"^X has 1 rows but y has 2"),
        (lambda: logistic.cross_entropy_grad([1.0], [[1.0]], [-1]), r"^y must hold labels"),
        (lambda: logistic.accuracy([1.0], [[1.0]], [0.3]), r"^y must hold labels"),
        (lambda: logistic.probabilities([1.0], np.empty((0, 1))), r"^X must have at least"),
    ],
)
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
