from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdbook import data


def test_line_data_shapes_dtypes_and_support(rng):
    x, y = data.line_data(5000, rng=rng)
    assert x.shape == y.shape == (5000,)
    assert x.dtype == y.dtype == np.float64
    assert np.array_equal(x, np.round(x))
    assert x.min() == 1 and x.max() == 99  # both ends of 1..99 occur in 5000 draws
    noise = y - 10 * x
    assert noise.min() >= 0 and noise.max() < 100


def test_line_data_noise_has_mean_half_its_width(rng):
    x, y = data.line_data(200_000, rng=rng)
    noise = y - 10 * x
    standard_error = 100 / np.sqrt(12) / np.sqrt(x.size)
    assert abs(noise.mean() - 50) < 5 * standard_error


def test_line_data_slope_intercept_noise(rng):
    x, y = data.line_data(1000, rng=rng, slope=-2.0, intercept=100.0, noise=1.0)
    residual = y - (-2.0 * x + 100.0)
    assert residual.min() >= 0 and residual.max() < 1.0


def test_line_data_is_reproducible_from_the_generator():
    first = data.line_data(50, rng=np.random.default_rng(7))
    again = data.line_data(50, rng=np.random.default_rng(7))
    other = data.line_data(50, rng=np.random.default_rng(8))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[1], other[1])


def test_line_data_needs_an_explicit_generator():
    with pytest.raises(TypeError):
        data.line_data(10)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"n": 2.5}, "n"),
        ({"noise": 0.0}, "noise"),
        ({"noise": -1.0}, "noise"),
        ({"slope": np.nan}, "slope"),
        ({"intercept": np.inf}, "intercept"),
    ],
)
def test_line_data_rejects_bad_input(rng, kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.line_data(**{"n": 10, **kwargs}, rng=rng)


def test_scale_divides(line):
    x, _ = line
    np.testing.assert_array_equal(data.scale(x, by=100), x / 100)


@pytest.mark.parametrize("by", [0, -100, np.nan])
def test_scale_rejects_bad_divisor(by):
    with pytest.raises(ValueError, match="by"):
        data.scale([1.0, 2.0], by=by)


def test_scale_rejects_non_finite_values():
    with pytest.raises(ValueError, match="values"):
        data.scale([1.0, np.nan], by=2)


def test_standardise_gives_mean_zero_std_one_and_inverts(line):
    x, _ = line
    z, mean, std = data.standardise(x)
    assert abs(z.mean()) < 1e-14
    assert abs(z.std() - 1) < 1e-14
    np.testing.assert_allclose(z * std + mean, x, rtol=1e-15)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50).filter(lambda v: np.ptp(v) > 1e-3))
def test_standardise_round_trip(values):
    z, mean, std = data.standardise(values)
    np.testing.assert_allclose(z * std + mean, values, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("values", [[3.0, 3.0, 3.0], [], [[1.0, 2.0]], [1.0, np.inf]])
def test_standardise_rejects_bad_input(values):
    with pytest.raises(ValueError, match="values"):
        data.standardise(values)


@pytest.mark.parametrize(
    "bad", [None, 0, np.random.RandomState(0), np.random.default_rng(0).bit_generator]
)
def test_line_data_rejects_an_rng_that_is_not_a_generator(bad):
    # A ValueError like all bad input (issue 7), and a TypeError as Python expects.
    with pytest.raises(ValueError, match=r"^rng must be a numpy\.random\.Generator") as caught:
        data.line_data(3, rng=bad)
    assert isinstance(caught.value, TypeError)


def test_two_classes_balanced_shuffled_around_their_centres(rng):
    X, y = data.two_classes(20_001, rng=rng, centres=[[0.0, 0.0], [4.0, -2.0]], spread=0.5)
    assert X.shape == (20_001, 2) and y.shape == (20_001,)
    assert X.dtype == y.dtype == np.float64
    assert np.sum(y == 0) == 10_000 and np.sum(y == 1) == 10_001
    assert 0 < np.mean(y[:100]) < 1  # shuffled, not sorted by class
    for label, centre in [(0, [0.0, 0.0]), (1, [4.0, -2.0])]:
        cloud = X[y == label]
        np.testing.assert_allclose(cloud.mean(axis=0), centre, atol=0.02)
        np.testing.assert_allclose(cloud.std(axis=0), 0.5, rtol=0.03)


def test_two_classes_is_reproducible_and_overlaps_by_default():
    X1, y1 = data.two_classes(200, rng=np.random.default_rng(3))
    X2, y2 = data.two_classes(200, rng=np.random.default_rng(3))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    # The default clouds overlap: the best line (here the perpendicular bisector of the
    # centres) misclassifies some points, so no line separates the classes.
    mu0, mu1 = np.array([1.0, 1.0]), np.array([3.0, 2.0])
    predicted = (X1 - (mu0 + mu1) / 2) @ (mu1 - mu0) > 0
    assert 0.02 < np.mean(predicted != (y1 == 1)) < 0.3


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n": 1}, ValueError, "n"),
        ({"centres": [[0.0, 0.0]]}, ValueError, "centres"),
        ({"centres": [[0.0, 0.0], [np.nan, 1.0]]}, ValueError, "centres"),
        ({"spread": 0.0}, ValueError, "spread"),
        ({"rng": np.random.RandomState(0)}, TypeError, "rng"),
    ],
)
def test_two_classes_rejects_bad_input(rng, kwargs, error, name):
    with pytest.raises(error, match=f"^{name}"):
        data.two_classes(**{"n": 10, "rng": rng, **kwargs})
