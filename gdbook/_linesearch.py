r"""Line searches: steepest descent with the step chosen anew at every iterate.

Public through :mod:`gdbook.optim`. Both record the step they chose in
:attr:`Trajectory.lrs <gdbook.optim.Trajectory.lrs>`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gdbook import _checks, surfaces
from gdbook._checks import FloatArray
from gdbook._run import Gradient, Loss, Trajectory, _Run, norm, overflow_is_divergence


@overflow_is_divergence
def exact_line_search(
    quadratic: surfaces.Quadratic,
    theta0: npt.ArrayLike,
    *,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Steepest descent on a quadratic, each step to the lowest point along the line.

    Parameters
    ----------
    quadratic : gdbook.surfaces.Quadratic
        :math:`f(\theta) = \tfrac12\theta^\top A\theta - b^\top\theta + c`; any other
        function is rejected (the step below needs :math:`A`).
    theta0 : array_like, shape (p,)
        The start.
    n_steps : int
        The step cap.
    grad_tol, loss_tol, grad_rtol, loss_rtol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`.

    Returns
    -------
    Trajectory
        Its ``lrs`` are the steps :math:`\eta_t`.

    Notes
    -----
    Along the line :math:`\theta_t - \eta g_t` with :math:`g_t = \nabla f(\theta_t)`, the
    quadratic is lowest at

    .. math:: \eta_t = \frac{g_t^\top g_t}{g_t^\top A g_t}, \qquad
              \theta_{t+1} = \theta_t - \eta_t\, g_t .

    Each new gradient is orthogonal to the previous one, which draws the zigzag.

    Examples
    --------
    >>> valley = surfaces.narrow_valley(3.0)
    >>> run = exact_line_search(valley, [3.0, 1.0], n_steps=2)
    >>> run.thetas
    array([[ 3.  ,  1.  ],
           [ 1.5 , -0.5 ],
           [ 0.75,  0.25]])
    >>> run.lrs
    array([0.5, 0.5])
    """
    if not isinstance(quadratic, surfaces.Quadratic):
        raise ValueError(
            "quadratic must be a gdbook.surfaces.Quadratic (exact line search needs its "
            f"matrix A), got {type(quadratic).__name__}"
        )
    A = quadratic.A
    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(quadratic, quadratic.grad, theta0, n_steps=n_steps, tols=tols)
    theta, g = run.theta, run.grad
    while not run.stopped:
        u = _scaled(g)  # g times a power of two: the same η, with no underflow
        eta = float((u @ u) / (u @ A @ u))
        theta = theta - eta * g
        g = run.step_to(theta, lr=eta)
    return run.trajectory()


@overflow_is_divergence
def backtracking_line_search(
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    lr: float = 1.0,
    shrink: float = 0.5,
    c: float = 1e-4,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Steepest descent with a backtracking (Armijo) line search.

    Every step tries the learning rate ``lr`` first and multiplies it by ``shrink``
    until the loss falls by at least a fraction ``c`` of what the gradient promises.

    Parameters
    ----------
    loss, grad : callable
        :math:`L(\theta)` and :math:`\nabla L(\theta)`.
    theta0 : array_like, shape (p,)
        The start.
    lr : float
        The first step tried at every iterate, :math:`\bar\eta > 0`.
    shrink : float
        The factor :math:`\beta` in :math:`(0, 1)` that shortens a rejected step.
    c : float
        The fraction :math:`c` in :math:`(0, 1)` of the first-order decrease that a step
        must achieve (the *sufficient decrease*).
    n_steps : int
        The step cap.
    grad_tol, loss_tol, grad_rtol, loss_rtol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`.

    Returns
    -------
    Trajectory
        Its ``lrs`` are the accepted steps :math:`\eta_t`. The run also stops, as
        ``"stalled"``, once no step passes the test before the decrease it asks for is
        below the rounding of :math:`L(\theta_t)`: comparing losses resolves
        :math:`\theta^\star` only to about the square root of the machine epsilon,
        so near a minimum this can happen before a small ``grad_tol`` is met.

    Notes
    -----
    With :math:`g_t = \nabla L(\theta_t)`, the step is
    :math:`\eta_t = \bar\eta\,\beta^{k}` for the smallest :math:`k = 0, 1, \dots` with

    .. math::

        L(\theta_t - \eta_t g_t) \le L(\theta_t) - c\, \eta_t \lVert g_t\rVert^2,
        \qquad \theta_{t+1} = \theta_t - \eta_t\, g_t .

    This is the Armijo condition; :math:`c` and :math:`\beta` are Boyd and
    Vandenberghe's :math:`\alpha` and :math:`\beta` (*Convex Optimization*, section 9.2)
    and Nocedal and Wright's :math:`c_1` and :math:`\rho` (*Numerical Optimization*,
    algorithm 3.1, which suggests :math:`c = 10^{-4}`). If no curvature of :math:`L`
    exceeds :math:`M` (its gradient is :math:`M`-Lipschitz), every
    :math:`\eta \le 2(1 - c)/M` passes, so each step is at least
    :math:`\min(\bar\eta, 2\beta(1 - c)/M)` and the loss falls at every step. On a
    quadratic, exactly the steps :math:`\eta \le 2(1 - c)\, g_t^\top g_t / g_t^\top A g_t`
    pass.

    Examples
    --------
    >>> valley = surfaces.narrow_valley(10.0)
    >>> run = backtracking_line_search(valley, valley.grad, [10.0, 1.0], n_steps=3)
    >>> run.lrs
    array([0.25 , 0.125, 0.5  ])
    >>> bool(np.all(np.diff(run.losses) < 0))
    True
    """
    eta0 = _checks.positive(lr, "lr")
    beta = _fraction(shrink, "shrink")
    fraction = _fraction(c, "c")
    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(loss, grad, theta0, n_steps=n_steps, tols=tols, stop_when_stalled=True)
    theta, g = run.theta, run.grad
    while not run.stopped:
        eta = _armijo_step(loss, theta, g, run.losses[-1], lr=eta0, shrink=beta, c=fraction)
        theta = theta - eta * g
        g = run.step_to(theta, lr=eta)
    return run.trajectory()


def _armijo_step(
    loss: Loss,
    theta: FloatArray,
    g: FloatArray,
    value: float,
    *,
    lr: float,
    shrink: float,
    c: float,
) -> float:
    """The first step ``lr * shrink**k`` that passes Armijo's test.

    0 once the decrease the test asks for is lost in the rounding of ``value``: from
    there on, rounding rather than the loss would decide the comparison.
    """
    eta, size = lr, norm(g)
    while (target := value - c * eta * size * size) < value:
        trial = theta - eta * g
        if np.isfinite(trial).all() and float(loss(trial)) <= target:  # NaN never passes
            return eta
        eta *= shrink
    return 0.0


def _scaled(g: FloatArray) -> FloatArray:
    """``g`` times the power of two that brings its largest entry into [0.5, 1)."""
    _, exponent = np.frexp(np.max(np.abs(g)))
    scaled: FloatArray = np.ldexp(g, -exponent)
    return scaled


def _fraction(value: float, name: str) -> float:
    number = _checks.positive(value, name)
    if number >= 1:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")
    return number
