r"""Test surfaces with their gradients, Hessians and critical points.

Every surface is a callable value: ``f(theta)`` is its height, ``f.grad(theta)`` its
gradient, ``f.hessian(theta)`` its Hessian, ``f.minimiser`` and ``f.minimum`` its lowest
point, ``f.critical_points`` every point where the gradient is zero (each classified by
:func:`classify`), and ``f.on_grid(x, y)`` its heights over a grid (for contour plots)
in one broadcast.

* **Quadratics** — :class:`Quadratic` and the shapes made from it, :func:`parabola`,
  :func:`bowl`, :func:`narrow_valley`. They carry the facts that govern gradient
  descent on them in closed form: the curvatures :math:`\mu` and :math:`L`, the
  condition number :math:`\kappa`, the largest stable learning rate :math:`2/L`, the
  best fixed learning rate :math:`2/(L+\mu)` and its rate of convergence.
* **Valleys and bumpy landscapes** — :class:`Rosenbrock`'s banana valley;
  :func:`two_minima` (one variable) and :func:`two_minima_2d`, each with a global and a
  local minimum; the :func:`saddle` :math:`x^2 - y^2`; and :func:`himmelblau`'s
  function with four minima. Their critical points are exact, or polished by Newton's
  method to machine precision.
"""

from __future__ import annotations

from gdbook._landscapes import (
    Rosenbrock,
    himmelblau,
    saddle,
    two_minima,
    two_minima_2d,
)
from gdbook._quadratic import Quadratic, bowl, narrow_valley, parabola
from gdbook._surface import CriticalPoint, Landscape, Surface, classify

__all__ = [  # noqa: RUF022 (the order of the API page, not the alphabet)
    "Surface",
    "Quadratic",
    "parabola",
    "bowl",
    "narrow_valley",
    "Rosenbrock",
    "Landscape",
    "two_minima",
    "two_minima_2d",
    "saddle",
    "himmelblau",
    "CriticalPoint",
    "classify",
]
