from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdbook import calculus


def test_differences_of_a_quadratic():
    # For x^2 the forward difference is off by exactly h and the central one is exact.
    assert calculus.forward_difference(np.square, 3.0, h=0.5) == pytest.approx(6.5)
    assert calculus.central_difference(np.square, 3.0, h=0.5) == pytest.approx(6.0)


def test_differences_are_vectorised():
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(calculus.central_difference(np.sin, x), np.cos(x), rtol=1e-9)
    np.testing.assert_allclose(calculus.forward_difference(np.exp, x), np.exp(x), rtol=1e-6)


def test_error_orders_forward_h_central_h_squared():
    """Halving h halves the forward error and quarters the central error."""
    x, exact = 1.0, np.cos(1.0)
    fwd = [abs(calculus.forward_difference(np.sin, x, h=h) - exact) for h in (1e-2, 5e-3)]
    ctr = [abs(calculus.central_difference(np.sin, x, h=h) - exact) for h in (1e-2, 5e-3)]
    assert fwd[0] / fwd[1] == pytest.approx(2.0, rel=0.01)
    assert ctr[0] / ctr[1] == pytest.approx(4.0, rel=0.01)


def test_single_precision_rounds_far_more():
    """The V curve's right arm: rounding error ~ eps / h, with eps 2^-23 in float32."""
    exact = np.cos(1.0)
    single = abs(calculus.central_difference(np.sin, 1.0, h=1e-3, dtype=np.float32) - exact)
    double = abs(calculus.central_difference(np.sin, 1.0, h=1e-3) - exact)
    assert double == pytest.approx(1e-6 * np.cos(1.0) / 6, rel=1e-3)  # truncation only
    assert single > 10 * double
    with pytest.raises(ValueError, match="dtype"):
        calculus.central_difference(np.sin, 1.0, dtype=np.int64)


def test_tangent_line_touches_and_has_the_slope():
    x = np.array([1.0, 2.0, 3.0])
    values = calculus.tangent_line(x, x0=2.0, y0=4.0, slope=4.0)
    assert values[1] == 4.0
    assert np.diff(values).tolist() == [4.0, 4.0]


def test_numerical_gradient_matches_torch_on_a_nonlinear_function():
    def f_np(v):
        return np.sin(v[0]) * np.exp(v[1]) + v[0] * v[2] ** 2

    point = np.array([0.7, -0.3, 2.0])
    t = torch.tensor(point, requires_grad=True)
    (torch.sin(t[0]) * torch.exp(t[1]) + t[0] * t[2] ** 2).backward()
    numeric = calculus.numerical_gradient(f_np, point)
    assert calculus.relative_error(numeric, t.grad.numpy()) <= 1e-9


def test_numerical_gradient_uses_a_relative_step():
    """At 1e8 an absolute step of 1e-6 drowns in rounding; a relative step does not."""
    x0 = 1.2345678912e8
    absolute = calculus.central_difference(np.square, x0, h=1e-6)
    relative = calculus.numerical_gradient(lambda v: v[0] ** 2, [x0])
    assert calculus.relative_error(absolute, 2 * x0) > 1e-3
    assert calculus.relative_error(relative, [2 * x0]) <= 1e-9


def test_relative_error_properties():
    a, b = np.array([3.0, 4.0]), np.array([0.0, 4.0])
    assert calculus.relative_error(a, b) == calculus.relative_error(b, a) == 0.6
    assert calculus.relative_error(1e6 * a, 1e6 * b) == pytest.approx(0.6, rel=1e-15)
    assert calculus.relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert calculus.relative_error(a, -a) == 2.0


def test_norm_and_distance():
    assert calculus.norm([3.0, 4.0]) == 5.0
    assert calculus.norm([3.0, 4.0, 5.0]) == pytest.approx(np.sqrt(50))
    assert calculus.distance([1.0, 2.0, 3.0], [4.0, 6.0, 3.0]) == 5.0


@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e3, 1e3)))
def test_norm_agrees_with_hypot_and_distance_is_symmetric(v):
    # math.hypot scales internally, so it is right even for subnormal entries, where
    # numpy.linalg.norm's squares round to 0.
    assert calculus.norm(v) == pytest.approx(math.hypot(*v), rel=1e-12, abs=1e-320)
    assert calculus.distance(v, 2 * v) == pytest.approx(calculus.distance(2 * v, v))
    assert calculus.distance(v, v) == 0.0


@pytest.mark.parametrize("size", [1e-300, 1e-170, 1e-150, 1e150, 1e200, 1e300])
def test_yardsticks_neither_underflow_nor_overflow(size):
    # Squaring first, numpy.linalg.norm returns 0 below about 1e-162 and overflows
    # (with a warning) above about 1e154. Vectors of that size are representable, and
    # a gradient check must not call a wrong one right: rel(a, b) is 0.6 at every size.
    a, b = size * np.array([3.0, 4.0]), size * np.array([0.0, 4.0])
    assert calculus.relative_error(a, b) == pytest.approx(0.6, rel=1e-14)
    assert calculus.relative_error(a[:1], 2 * a[:1]) == pytest.approx(0.5, rel=1e-14)
    assert calculus.norm(a) == pytest.approx(5 * size, rel=1e-14)
    assert calculus.distance(a, b) == pytest.approx(3 * size, rel=1e-14)
    np.testing.assert_allclose(calculus.unit(a), [0.6, 0.8], rtol=1e-14)


def test_yardsticks_are_unchanged_in_the_ordinary_range():
    v = np.array([0.1, -2.5, 3.0, 1e-3])
    assert calculus.norm(v) == float(np.sqrt(np.sum(v**2)))
    w = v + 1e-9
    assert calculus.relative_error(v, w) == float(np.linalg.norm(v - w)) / float(np.linalg.norm(w))


def test_unit_vectors():
    np.testing.assert_allclose(calculus.unit([3.0, 4.0]), [0.6, 0.8])
    with pytest.raises(ValueError, match="zero vector"):
        calculus.unit([0.0, 0.0])


def test_directional_derivative_is_gradient_dot_unit_direction(rng):
    def f(v):
        return np.sin(v[0]) * v[1] ** 2 + v[2]

    def grad(v):
        return np.array([np.cos(v[0]) * v[1] ** 2, 2 * np.sin(v[0]) * v[1], 1.0])

    for _ in range(5):
        theta, direction = rng.normal(size=3), rng.normal(size=3)
        expected = grad(theta) @ calculus.unit(direction)
        assert calculus.directional_derivative(f, theta, direction) == pytest.approx(
            expected, rel=1e-8, abs=1e-10
        )


def test_no_unit_direction_descends_faster_than_minus_the_gradient(rng):
    """Cauchy-Schwarz, sampled: D_u f >= -||grad f|| with equality at u = -grad/||grad||."""

    def f(v):
        return v[0] ** 2 + 3 * v[1] ** 2 + v[0] * v[1]

    theta = np.array([1.0, -2.0])
    g = calculus.numerical_gradient(f, theta)
    slopes = [calculus.directional_derivative(f, theta, u) for u in rng.normal(size=(500, 2))]
    steepest = calculus.directional_derivative(f, theta, -g)
    assert steepest == pytest.approx(-np.linalg.norm(g), rel=1e-8)
    assert min(slopes) >= steepest - 1e-9


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: calculus.directional_derivative(np.sum, [1.0, 2.0], [1.0]), "same dimension"),
        (lambda: calculus.directional_derivative(np.sum, [1.0], [1.0], h=-1.0), "h"),
        (lambda: calculus.forward_difference(np.sin, 1.0, h=0.0), "h"),
        (lambda: calculus.central_difference(np.sin, 1.0, h=-1e-3), "h"),
        (lambda: calculus.central_difference(np.sin, 1.0, h=np.nan), "h"),
        (lambda: calculus.central_difference(np.sin, np.nan), "x"),
        (lambda: calculus.numerical_gradient(np.sum, [1.0, np.inf]), "theta"),
        (lambda: calculus.numerical_gradient(np.sum, [1.0], h=0), "h"),
        (lambda: calculus.relative_error([1.0], [1.0, 2.0]), "same shape"),
        (lambda: calculus.norm([]), "v"),
        (lambda: calculus.distance([1.0], [1.0, 2.0]), "same dimension"),
        (lambda: calculus.tangent_line([1.0], x0=np.nan, y0=0.0, slope=1.0), "x0"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_relative_error_of_nothing_is_an_error():
    # An empty gradient must not "pass" a gradient check with a relative error of 0.
    with pytest.raises(ValueError, match="a and b must not be empty"):
        calculus.relative_error([], [])
    with pytest.raises(ValueError, match="a and b must not be empty"):
        calculus.relative_error_per_coordinate([], [])


@pytest.mark.parametrize(
    ("direction", "message"),
    [
        ([0.0, 0.0], "direction must not be the zero vector"),
        ([[1.0, 0.0]], "direction must have 1 dimension"),
        ([], "direction must not be empty"),
        ([np.nan, 1.0], "direction must be finite"),
    ],
)
def test_directional_derivative_names_its_own_argument(direction, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        calculus.directional_derivative(np.sum, [1.0, 2.0], direction)


def test_relative_error_per_coordinate_definition():
    a, b = np.array([3.0, 0.0, 0.0, -1.0]), np.array([3.3, 0.0, 2.0, 1.0])
    np.testing.assert_allclose(
        calculus.relative_error_per_coordinate(a, b), [0.3 / 3.3, 0.0, 1.0, 2.0], rtol=1e-15
    )
    np.testing.assert_array_equal(
        calculus.relative_error_per_coordinate(a, b), calculus.relative_error_per_coordinate(b, a)
    )
    # A floor keeps rounding noise in a zero coordinate from counting as a relative error of 1.
    noisy = calculus.relative_error_per_coordinate([1.0, 0.0], [1.0, 1e-12], floor=1e-8)
    np.testing.assert_allclose(noisy, [0.0, 1e-4], rtol=1e-12)
    assert calculus.relative_error_per_coordinate([[1.0, 2.0]], [[1.0, 2.0]]).shape == (1, 2)


@given(
    hnp.arrays(np.float64, 5, elements=st.floats(-1e6, 1e6)),
    hnp.arrays(np.float64, 5, elements=st.floats(-1e6, 1e6)),
    st.floats(1e-300, 1e300),
)
def test_relative_error_per_coordinate_is_bounded_and_scale_free(a, b, c):
    errors = calculus.relative_error_per_coordinate(a, b)
    assert np.all((errors >= 0) & (errors <= 2))
    # Multiplying both vectors (and the floor) by the same power of two changes nothing.
    scaled = calculus.relative_error_per_coordinate(4.0 * a, 4.0 * b, floor=4.0 * c)
    np.testing.assert_array_equal(scaled, calculus.relative_error_per_coordinate(a, b, floor=c))


def test_per_coordinate_check_catches_a_small_bug_the_norm_hides(rng):
    """Review part 2, #20: on the raw regression ∂L/∂w dwarfs ∂L/∂b, so a 1 % bug in ∂L/∂b
    barely moves the norm-based relative error; the per-coordinate error shows it."""
    from gdbook import data, linreg

    x, y = data.line_data(100, rng=rng)
    X = linreg.design_matrix(x)
    norm_based, per_coordinate, correct = [], [], []
    for _ in range(100):
        theta = rng.normal([10.0, 50.0], [3.0, 30.0])
        numeric = calculus.numerical_gradient(lambda t: linreg.mse(t, X, y), theta)
        right = linreg.mse_grad(theta, X, y)
        buggy = right * [1.0, 1.01]  # ∂L/∂b one per cent too large
        norm_based.append(calculus.relative_error(buggy, numeric))
        per_coordinate.append(calculus.relative_error_per_coordinate(buggy, numeric))
        correct.append(calculus.relative_error_per_coordinate(right, numeric))
    # The norm-based error of a 1 % bug is typically about 1.5e-4, on the edge of the
    # "look closer" band (10^-7 to 10^-4), and nowhere near 1 %...
    assert np.median(norm_based) < 2e-4
    assert max(norm_based) < 2e-3
    # ...while the per-coordinate check puts ∂L/∂b at 1 % every time, ∂L/∂w at rounding level.
    per_coordinate = np.array(per_coordinate)
    np.testing.assert_allclose(per_coordinate[:, 1], 0.01 / 1.01, rtol=1e-5)
    assert per_coordinate[:, 0].max() < 1e-8
    assert np.array(correct).max() < 1e-7


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: calculus.relative_error_per_coordinate([1.0], [1.0, 2.0]), "same shape"),
        (lambda: calculus.relative_error_per_coordinate([np.nan], [1.0]), "a"),
        (lambda: calculus.relative_error_per_coordinate([1.0], [1.0], floor=-1.0), "floor"),
        (lambda: calculus.relative_error_per_coordinate([1.0], [1.0], floor=np.inf), "floor"),
    ],
)
def test_relative_error_per_coordinate_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
