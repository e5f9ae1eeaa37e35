r"""Simulated annealing: random moves, uphill ones accepted less often as it cools.

Public through :mod:`gdbook.optim`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

#: A loss evaluated at many points at once: ``(m, ...)`` points in, ``(m,)`` values out.
Losses = Callable[[FloatArray], npt.ArrayLike]


def anneal(
    loss: Losses,
    starts: npt.ArrayLike,
    *,
    scale: float,
    temperature: float,
    n_steps: int,
    rng: np.random.Generator,
) -> FloatArray:
    r"""Simulated annealing from many starts at once, with a linearly falling temperature.

    Parameters
    ----------
    loss : callable
        The loss at many points: ``loss(points)`` with ``points`` of the shape of
        ``starts`` returns one value per row.
    starts : array_like, shape (m,) or (m, p)
        One start per row: ``m`` independent runs (a 1-D array is ``m`` scalar runs).
    scale : float
        :math:`\Delta > 0`, the standard deviation of each random move.
    temperature : float
        :math:`T_0 \ge 0`, the starting temperature; 0 accepts downhill moves only.
    n_steps : int
        Proposals per run, :math:`N`.
    rng : numpy.random.Generator
        Source of the moves and of the acceptances.

    Returns
    -------
    numpy.ndarray of float64, shape of ``starts``
        Where each run ends.

    Notes
    -----
    At step :math:`t = 0, \dots, N - 1` every run proposes :math:`x' = x + \Delta\,\xi`
    with a fresh standard normal :math:`\xi` and moves there with probability

    .. math:: \min\bigl(1, \exp(-(f(x') - f(x)) / T_t)\bigr), \qquad
              T_t = T_0\,(1 - t / N),

    the Metropolis rule, as Kirkpatrick, Gelatt and Vecchi (1983) use it to anneal:
    always downhill, uphill ever more rarely as :math:`T_t` falls (at :math:`T_0 = 0`
    never). A proposal whose loss is NaN is never taken. Each step draws
    ``rng.standard_normal`` of the shape of ``starts``, then ``rng.random`` of shape
    ``(m,)``.

    Examples
    --------
    >>> from gdbook import surfaces
    >>> f = surfaces.two_minima()
    >>> ends = anneal(f.formulas[0], np.ones(1000), scale=0.5, temperature=0.5,
    ...               n_steps=300, rng=np.random.default_rng(0))
    >>> float(np.mean(ends < 0)) > 0.9  # most runs leave the local minimum at x = 1
    True
    """
    x = _checks.finite_array(starts, "starts", ndim=(1, 2))
    step = _checks.positive(scale, "scale")
    hot = _checks.finite_array(temperature, "temperature", ndim=0)
    if hot < 0:
        raise ValueError(f"temperature must be at least 0, got {temperature!r}")
    n = _checks.count(n_steps, "n_steps", minimum=0)
    rng = _checks.generator(rng)
    value = _values(loss, x)
    for t in range(n):
        T = float(hot) * (1 - t / n)
        proposal = x + step * rng.standard_normal(x.shape)
        new = _values(loss, proposal)
        rise = new - value
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            accept = (rise <= 0) | (rng.random(len(x)) < np.exp(-rise / T))
        x = np.where(accept.reshape(-1, *([1] * (x.ndim - 1))), proposal, x)
        value = np.where(accept, new, value)
    return x


def _values(loss: Losses, points: FloatArray) -> FloatArray:
    values = np.asarray(loss(points), dtype=np.float64)
    if values.shape != (len(points),):
        raise ValueError(
            f"loss must return one value per start, shape {(len(points),)}, got {values.shape}"
        )
    return values
