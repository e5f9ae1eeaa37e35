"""Softmax and its cross-entropy from logits against torch.nn.functional; the gradient
p − onehot against torch.autograd and central differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdbook import calculus, softmax


@st.composite
def logits_and_labels(draw, low=-1e4, high=1e4):
    n, C = draw(st.integers(1, 8)), draw(st.integers(2, 6))
    Z = draw(hnp.arrays(np.float64, (n, C), elements=st.floats(low, high)))
    y = np.array(draw(st.lists(st.integers(0, C - 1), min_size=n, max_size=n)))
    return Z, y


def torch_loss_and_grad(Z, y):
    Zt = torch.tensor(Z, requires_grad=True)
    loss = F.cross_entropy(Zt, torch.tensor(y, dtype=torch.int64))
    loss.backward()
    return loss.item(), Zt.grad.numpy()


@settings(max_examples=200, deadline=None)
@given(logits_and_labels())
def test_loss_and_logit_gradient_equal_torch(case):
    Z, y = case
    expected_loss, expected_grad = torch_loss_and_grad(Z, y)
    loss = softmax.cross_entropy_with_logits(Z, y)
    # Both are exact up to rounding; losses near 0 are compared absolutely, on the
    # scale of the logits' spread (the size of the terms that cancel).
    spread = float(np.max(Z.max(axis=1) - Z.min(axis=1)))
    assert loss == pytest.approx(expected_loss, rel=1e-13, abs=1e-15 * (1 + spread))
    # PyTorch computes p − 1 for the true class, which cancels when p is near 1.
    np.testing.assert_allclose(
        softmax.cross_entropy_with_logits_grad(Z, y), expected_grad, rtol=1e-12, atol=2.3e-16
    )


def extended_reference(Z, y):
    """Loss and logit gradient in longdouble, with the cancellation-free forms."""
    Zl, n = np.asarray(Z, np.longdouble), len(y)
    rows = np.arange(n)
    e = np.exp(Zl - Zl[rows, y][:, None])  # e^(z − z_y): fine for logits of moderate size
    others = e.copy()
    others[rows, y] = 0
    loss = np.mean(np.log1p(others.sum(axis=1)))
    p = e / e.sum(axis=1, keepdims=True)
    grad = p.copy()
    grad[rows, y] = 0
    grad[rows, y] = -grad.sum(axis=1)
    return loss, grad / n


@settings(max_examples=200, deadline=None)
@given(logits_and_labels(low=-30.0, high=30.0))
def test_loss_and_gradient_keep_their_digits(case):
    Z, y = case
    loss, grad = extended_reference(Z, y)
    assert softmax.cross_entropy_with_logits(Z, y) == pytest.approx(float(loss), rel=1e-14)
    ours = softmax.cross_entropy_with_logits_grad(Z, y)
    np.testing.assert_allclose(ours, grad.astype(np.float64), rtol=1e-14, atol=0)


@settings(max_examples=100, deadline=None)
@given(logits_and_labels())
def test_softmax_equals_torch_and_rows_sum_to_one(case):
    Z, _ = case
    p = softmax.softmax(Z)
    np.testing.assert_allclose(
        p, torch.softmax(torch.tensor(Z), dim=1).numpy(), rtol=1e-13, atol=1e-300
    )
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15 * Z.shape[1])


def test_gradient_is_probabilities_minus_one_hot(rng):
    Z, y = rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[y]
    np.testing.assert_allclose(
        softmax.cross_entropy_with_logits_grad(Z, y), (softmax.softmax(Z) - one_hot) / 5, rtol=1e-15
    )


@pytest.mark.parametrize("C", [2, 3, 10])
def test_zero_weights_give_ln_c(rng, C):
    X, y = rng.normal(size=(7, 3)), rng.integers(0, C, size=7)
    assert softmax.cross_entropy(np.zeros((3, C)), X, y) == pytest.approx(np.log(C), rel=1e-15)


def test_model_gradient_equals_torch_autograd_and_central_differences(rng):
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 4, size=30)
    theta = rng.normal(size=(3, 4))
    t = torch.tensor(theta, requires_grad=True)
    loss = F.cross_entropy(torch.tensor(X) @ t, torch.tensor(y))
    loss.backward()
    assert softmax.cross_entropy(theta, X, y) == pytest.approx(loss.item(), rel=1e-14)
    grad = softmax.cross_entropy_grad(theta, X, y)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-13, atol=1e-16)

    def flat_loss(v):
        return softmax.cross_entropy(v.reshape(3, 4), X, y)

    numeric = calculus.numerical_gradient(flat_loss, theta.ravel())
    assert calculus.relative_error(grad.ravel(), numeric) < 1e-8


def test_two_classes_agree_with_the_logistic_loss(rng):
    """Softmax with C = 2 and logits (0, z) is logistic regression with logit z."""
    from gdbook import logistic

    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=20)
    w = rng.normal(size=2)
    theta = np.column_stack([np.zeros(2), w])
    assert softmax.cross_entropy(theta, X, y) == pytest.approx(
        logistic.cross_entropy(w, X, y), rel=1e-14
    )


def test_huge_logits_do_not_overflow():
    Z = np.array([[1e300, 0.0, -1e300], [-1e300, -1e300, 0.0]])
    assert softmax.cross_entropy_with_logits(Z, [0, 2]) == 0.0
    assert softmax.cross_entropy_with_logits(Z, [1, 2]) == pytest.approx(5e299)
    np.testing.assert_array_equal(softmax.softmax(Z), [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def test_logits_further_apart_than_the_float64_range():
    # 1e308 - (-1e308) overflows; the probabilities and gradient are still exact, without a
    # warning (pytest turns warnings into errors), and a loss of 2e308 rounds to inf.
    Z = np.array([[1e308, -1e308]])
    np.testing.assert_array_equal(softmax.softmax(Z), [[1.0, 0.0]])
    assert softmax.cross_entropy_with_logits(Z, [0]) == 0.0
    assert softmax.cross_entropy_with_logits(Z, [1]) == np.inf
    np.testing.assert_array_equal(softmax.cross_entropy_with_logits_grad(Z, [1]), [[1.0, -1.0]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: softmax.cross_entropy_with_logits([[1.0, 2.0]], [2]),
            r"^y must hold class labels 0 to 1",
        ),
        (
            lambda: softmax.cross_entropy_with_logits([[1.0, 2.0]], [-1]),
            r"^y must hold class labels",
        ),
        (
            lambda: softmax.cross_entropy_with_logits([[1.0, 2.0]], [0.5]),
            r"^y must hold class labels",
        ),
        (
            lambda: softmax.cross_entropy_with_logits([[1.0, 2.0]], [0, 1]),
            r"^logits and y disagree",
        ),
        (lambda: softmax.cross_entropy_with_logits([1.0, 2.0], [0]), r"^logits must have 2"),
        (lambda: softmax.softmax([[1.0]]), r"^logits must have a row per sample and 2 or more"),
        (
            lambda: softmax.cross_entropy(np.zeros((3, 2)), [[1.0, 2.0]], [0]),
            r"^theta must have one row",
        ),
        (lambda: softmax.cross_entropy_grad(np.zeros(2), [[1.0, 2.0]], [0]), r"^theta must have 2"),
    ],
)
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
