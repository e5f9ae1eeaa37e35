r"""Quadratic surfaces, with the facts that govern gradient descent on them in closed form.

Public through :mod:`gdbook.surfaces`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray
from gdbook._surface import CriticalPoint, grid_points


@dataclass(frozen=True)
class Quadratic:
    r"""The quadratic :math:`f(\theta) = \tfrac12 \theta^\top A \theta - b^\top \theta + c`.

    Parameters
    ----------
    A : array_like, shape (p, p)
        Symmetric and positive definite: the Hessian, the same at every point.
    b : array_like, shape (p,)
        The linear term.
    c : float
        The constant term.

    Notes
    -----
    The gradient is :math:`\nabla f(\theta) = A\theta - b`, so the minimiser solves
    :math:`A\theta^\star = b`. With eigenvalues :math:`\mu = \lambda_{\min}` and
    :math:`L = \lambda_{\max}` of :math:`A`, gradient descent with learning rate
    :math:`\eta` multiplies the error along each eigenvector by :math:`1 - \eta\lambda`, so
    it converges for every start if and only if :math:`0 < \eta < 2/L`.

    Values are computed in the expanded form above, so they carry an absolute rounding
    error of about :math:`\epsilon\,(|\tfrac12\theta^\top A\theta| + |b^\top\theta| + |c|)`
    with :math:`\epsilon \approx 2.2 \times 10^{-16}`: near the minimiser a gap
    :math:`f(\theta) - f(\theta^\star)` smaller than that is rounding (it can even come
    out negative).

    Examples
    --------
    >>> q = Quadratic([[2.0, 0.0], [0.0, 20.0]], [2.0, 0.0])
    >>> q.minimiser, q.kappa, q.max_lr
    (array([1., 0.]), 10.0, 0.1)
    """

    A: FloatArray
    b: FloatArray
    c: float = 0.0
    eigenvalues: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        A = _checks.finite_array(self.A, "A", ndim=2)
        b = _checks.vector(self.b, "b")
        if A.shape != (b.size, b.size):
            raise ValueError(f"A must have shape ({b.size}, {b.size}) to match b, got {A.shape}")
        if not np.allclose(A, A.T, rtol=1e-12, atol=0.0):
            raise ValueError("A must be symmetric")
        eigenvalues = np.linalg.eigvalsh(A)
        if eigenvalues[0] <= 0:
            raise ValueError(f"A must be positive definite, its eigenvalues are {eigenvalues}")
        for name, value in (("A", A), ("b", b), ("eigenvalues", eigenvalues)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "c", float(_checks.finite_array(self.c, "c", ndim=0)))

    def __call__(self, theta: npt.ArrayLike) -> float:
        t = self._point(theta)
        return float(0.5 * t @ self.A @ t - self.b @ t + self.c)

    def grad(self, theta: npt.ArrayLike) -> FloatArray:
        """The gradient :math:`A\\theta - b`."""
        return self.A @ self._point(theta) - self.b

    def hessian(self, theta: npt.ArrayLike) -> FloatArray:
        """The Hessian, :math:`A` at every point."""
        self._point(theta)
        return self.A

    def on_grid(self, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
        """Heights over the grid ``x`` × ``y`` (two variables only), shape (len(y), len(x))."""
        if self.b.size != 2:
            raise ValueError(f"on_grid needs a surface of 2 variables, this one has {self.b.size}")
        points = grid_points(x, y)
        return np.asarray(
            0.5 * np.einsum("...i,ij,...j->...", points, self.A, points) - points @ self.b + self.c
        )

    @property
    def minimiser(self) -> FloatArray:
        """The solution of :math:`A\\theta = b`."""
        solution: FloatArray = np.linalg.solve(self.A, self.b).astype(np.float64)
        return solution

    @property
    def minimum(self) -> float:
        """The lowest value, :math:`f(\\theta^\\star)`."""
        return self(self.minimiser)

    @property
    def critical_points(self) -> tuple[CriticalPoint, ...]:
        """The one critical point, the minimiser (:math:`A` is positive definite)."""
        return (CriticalPoint(self.minimiser, self.minimum, "minimum"),)

    @property
    def mu(self) -> float:
        """The smallest curvature, :math:`\\lambda_{\\min}(A)`."""
        return float(self.eigenvalues[0])

    @property
    def L(self) -> float:
        """The largest curvature, :math:`\\lambda_{\\max}(A)`: the gradient is L-Lipschitz."""
        return float(self.eigenvalues[-1])

    @property
    def kappa(self) -> float:
        """The condition number :math:`\\kappa = L / \\mu`."""
        return self.L / self.mu

    @property
    def max_lr(self) -> float:
        """The learning-rate ceiling :math:`2/L`: from there on gradient descent fails."""
        return 2.0 / self.L

    @property
    def best_lr(self) -> float:
        """The fixed learning rate :math:`2/(L + \\mu)` with the fastest guaranteed contraction."""
        return 2.0 / (self.L + self.mu)

    @property
    def best_rate(self) -> float:
        """The contraction per step at :attr:`best_lr`: :math:`(\\kappa - 1)/(\\kappa + 1)`."""
        return (self.kappa - 1.0) / (self.kappa + 1.0)

    def rate(self, lr: float) -> float:
        """The worst-case contraction per step, :math:`\\max_i |1 - \\eta \\lambda_i|`."""
        eta = _checks.positive(lr, "lr")
        with np.errstate(over="ignore"):  # an absurd lr has an infinite rate, not a warning
            return float(np.max(np.abs(1.0 - eta * self.eigenvalues)))

    def iterates(self, theta0: npt.ArrayLike, *, lr: float, n_steps: int) -> FloatArray:
        r"""Gradient descent's iterates in closed form, without running it.

        Parameters
        ----------
        theta0 : array_like, shape (p,)
            The start.
        lr : float
            The learning rate :math:`\eta`.
        n_steps : int
            How many steps.

        Returns
        -------
        numpy.ndarray of float64, shape (n_steps + 1, p)
            Row :math:`t` is :math:`\theta_t`.

        Notes
        -----
        With :math:`A = V \Lambda V^\top`,

        .. math:: \theta_t - \theta^\star = V (I - \eta\Lambda)^t V^\top (\theta_0 - \theta^\star).

        A mode that starts at exactly 0 stays there, however fast it would grow, as in
        gradient descent itself. A growing mode eventually exceeds the largest float: its
        coordinates become infinite (NaN where two infinities meet), without a warning.

        Examples
        --------
        >>> parabola().iterates([10.0], lr=0.2, n_steps=3).ravel()
        array([10.  ,  6.  ,  3.6 ,  2.16])
        """
        eta = _checks.positive(lr, "lr")
        steps = _checks.count(n_steps, "n_steps", minimum=0)
        start = self._point(theta0) - self.minimiser
        values, vectors = np.linalg.eigh(self.A)
        modes = vectors.T @ start
        with np.errstate(over="ignore", invalid="ignore"):
            factors = (1.0 - eta * values)[None, :] ** np.arange(steps + 1)[:, None]
            terms = np.where(modes != 0.0, factors * modes, 0.0)
            offsets = terms @ vectors.T
            if not np.all(np.isfinite(offsets)):  # keep inf * 0 = NaN out of the sums
                parts = terms[:, None, :] * vectors[None, :, :]
                offsets = np.where(vectors[None] != 0.0, parts, 0.0).sum(axis=2)
        path: FloatArray = self.minimiser + offsets
        return path

    def _point(self, theta: npt.ArrayLike) -> FloatArray:
        t = _checks.vector(theta, "theta")
        if t.shape != self.b.shape:
            raise ValueError(f"theta must have {self.b.size} values, got {t.size}")
        return t


def parabola() -> Quadratic:
    r"""The parabola :math:`f(x) = x^2`, minimised at 0, with gradient :math:`2x`.

    Returns
    -------
    Quadratic
        :math:`\tfrac12 \cdot 2 \cdot x^2`: :math:`A = (2)`, :math:`b = (0)`, so
        :math:`L = \mu = 2` and the learning-rate ceiling is :math:`2/L = 1`.

    Examples
    --------
    >>> f = parabola()
    >>> f([3.0]), f.grad([3.0]), f.max_lr
    (9.0, array([6.]), 1.0)
    """
    return Quadratic(np.array([[2.0]]), np.array([0.0]))


def bowl(
    kappa: float,
    *,
    L: float = 1.0,
    angle: float = 0.0,
    centre: npt.ArrayLike = (0.0, 0.0),
) -> Quadratic:
    r"""A two-variable bowl with condition number ``kappa``, tilted by ``angle``.

    Parameters
    ----------
    kappa : float
        The condition number :math:`L/\mu \ge 1`: how much steeper the bowl is across its
        valley than along it.
    L : float
        The largest curvature; the smallest is :math:`L/\kappa`.
    angle : float
        Rotation of the valley's axis from the horizontal axis, in radians.
    centre : array_like, shape (2,)
        The minimiser; the minimum is 0.

    Returns
    -------
    Quadratic
        :math:`A = R \operatorname{diag}(L/\kappa, L) R^\top` with :math:`R` the rotation by
        ``angle``, :math:`b = A\,\theta^\star` and :math:`c` such that the minimum is 0.

    Examples
    --------
    >>> q = bowl(10.0, L=2.0)
    >>> q.mu, q.L, round(q.best_rate, 4)
    (0.2, 2.0, 0.8182)
    """
    k = _checks.positive(kappa, "kappa")
    if k < 1.0:
        raise ValueError(f"kappa must be at least 1, got {kappa!r}")
    largest = _checks.positive(L, "L")
    turn = float(_checks.finite_array(angle, "angle", ndim=0))
    centre_ = _checks.vector(centre, "centre")
    if centre_.shape != (2,):
        raise ValueError(f"centre must have 2 values, got {centre_.size}")
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    A = rotation @ np.diag([largest / k, largest]) @ rotation.T
    A = 0.5 * (A + A.T)  # exactly symmetric despite rounding
    return Quadratic(A, A @ centre_, 0.5 * centre_ @ A @ centre_)


def narrow_valley(gamma: float = 10.0) -> Quadratic:
    r"""Boyd and Vandenberghe's valley :math:`f(x) = \tfrac12 (x_1^2 + \gamma x_2^2)`.

    Parameters
    ----------
    gamma : float
        The curvature across the valley (the one along it is 1); :math:`\kappa = \gamma`
        when :math:`\gamma \ge 1`.

    Returns
    -------
    Quadratic
        :math:`A = \operatorname{diag}(1, \gamma)`, :math:`b = 0`.

    Notes
    -----
    With exact line search from :math:`x_0 = (\gamma, 1)`, steepest descent's iterates are
    :math:`x_k = \left(\frac{\gamma - 1}{\gamma + 1}\right)^k \bigl(\gamma, (-1)^k\bigr)`
    (Boyd and Vandenberghe, *Convex Optimization*, section 9.3.2).

    Examples
    --------
    >>> narrow_valley(4.0)([1.0, 1.0])
    2.5
    """
    g = _checks.positive(gamma, "gamma")
    return Quadratic(np.diag([1.0, g]), np.zeros(2))
