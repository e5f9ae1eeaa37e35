r"""Drivers: feed an update rule gradients of all the data, or of mini-batches.

Public through :mod:`gdbook.optim`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray
from gdbook._rule import Rule, lr_at
from gdbook._run import Gradient, IntArray, Loss, Trajectory, _Run, overflow_is_divergence

#: ``"shuffle"``: every epoch visits the samples in a new random order (a permutation);
#: ``"replace"``: every epoch draws n samples at random, with replacement;
#: ``"sequential"``: every epoch visits them in their order, without randomness.
Sampling = Literal["shuffle", "replace", "sequential"]
DataLoss = Callable[[FloatArray, Any, Any], float]
DataGradient = Callable[[FloatArray, Any, Any], FloatArray]


@overflow_is_divergence
def full_batch(
    rule: Rule[Any],
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Run an update rule on the full gradient, step after step.

    Parameters
    ----------
    rule : SGD, SutskeverMomentum, Adagrad, RMSprop or Adam
        The update rule (any object with ``lr``, ``init`` and ``step``).
    loss, grad : callable
        :math:`L(\theta)` and :math:`\nabla L(\theta)`.
    theta0 : array_like, shape (p,)
        The start.
    n_steps : int
        The step cap.
    grad_tol, loss_tol, grad_rtol, loss_rtol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`.

    Returns
    -------
    Trajectory
        Every step recorded, with the learning rate of every update in ``lrs``.

    Notes
    -----
    .. math::

        \begin{aligned}
        s_0 &= \operatorname{init}(\theta_0), \\
        (\theta_{t+1}, s_{t+1}) &= \operatorname{step}(\theta_t, \nabla L(\theta_t), s_t),
        \end{aligned}

    where :math:`s_t` is the rule's state.

    ``full_batch(SGD(lr=eta), ...)`` takes exactly the steps of
    :func:`gradient_descent` with ``lr=eta``. A point where the gradient is exactly zero
    ends the run only if the rule's next step, with that zero gradient, would leave
    :math:`\theta` where it is: a velocity carries momentum on. (At the step cap, where the
    run ends anyway, no such step is tried, and a zero gradient is reported as
    ``grad_tol``.)

    Examples
    --------
    >>> from gdbook import optim, surfaces
    >>> f = surfaces.narrow_valley(10.0)
    >>> run = full_batch(optim.SGD(lr=0.15, momentum=0.5), f, f.grad, [10.0, 1.0], grad_tol=1e-8)
    >>> run.reason.value, run.n_steps, bool(np.abs(run.final).max() < 1e-8)
    ('grad_tol', 59, True)
    """
    theta = _checks.vector(theta0, "theta0")
    state, t = rule.init(theta), 0

    def at_rest(point: FloatArray) -> bool:
        # A zero gradient ends the run only where the rule would stay: a velocity (or
        # weight decay) carries it on. ``state`` and ``t`` are always those at ``point``.
        # At the step cap the run ends anyway, and the rule is not asked for a step (its
        # schedule need not reach past the cap): a zero gradient there counts, as in
        # gradient_descent.
        if t == n_steps:
            return True
        return bool(np.array_equal(rule.step(point, np.zeros_like(point), state)[0], point))

    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(loss, grad, theta, n_steps=n_steps, tols=tols, at_rest=at_rest)
    g = run.grad
    while not run.stopped:
        eta = lr_at(rule.lr, run.t)
        theta, state = rule.step(theta, g, state)
        t += 1
        g = run.step_to(theta, lr=eta)
    return run.trajectory()


@overflow_is_divergence
def minibatch(
    rule: Rule[Any],
    loss: DataLoss,
    grad: DataGradient,
    theta0: npt.ArrayLike,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    batch_size: int,
    n_epochs: int,
    rng: np.random.Generator | None,
    sampling: Sampling = "shuffle",
    drop_last: bool = False,
    record_every: int = 1,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Run an update rule on mini-batch gradients, epoch after epoch.

    Parameters
    ----------
    rule : SGD, SutskeverMomentum, Adagrad, RMSprop or Adam
        The update rule.
    loss, grad : callable
        ``loss(theta, X, y)`` and ``grad(theta, X, y)``, the mean loss and its gradient
        over the samples given (for example :func:`gdbook.linreg.mse` and
        :func:`gdbook.linreg.mse_grad`).
    theta0 : array_like, shape (p,)
        The start.
    X, y : array_like
        The data: sample :math:`i` is ``X[i]``, ``y[i]``; ``X`` and ``y`` are always
        reordered together.
    batch_size : int
        Samples per batch, :math:`B`, from 1 to :math:`n`.
    n_epochs : int
        Passes over the data.
    rng : numpy.random.Generator or None
        Source of the sampling; ``None`` only with ``sampling="sequential"``.
    sampling : {"shuffle", "replace", "sequential"}
        Each epoch is a random permutation of the samples (PyTorch's
        ``DataLoader(shuffle=True)``), :math:`n` draws with replacement
        (``RandomSampler(replacement=True)``), or the samples in order.
    drop_last : bool
        Leave out an epoch's last batch if it has fewer than :math:`B` samples, as
        ``DataLoader(drop_last=True)``; by default it is used, smaller.
    record_every : int
        Record the parameters, the loss on all the data and its gradient's norm every
        this many updates (and after the last one); the records cost work that is not
        counted.
    grad_tol, loss_tol, grad_rtol, loss_rtol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`, checked at the records on
        the full loss and gradient.

    Returns
    -------
    Trajectory
        ``steps`` gives the update of each record and ``work`` the per-sample gradients
        computed by then, so loss against work is deterministic.

    Notes
    -----
    An epoch draws one ordering of the indices :math:`0, \dots, n - 1` and cuts it into
    batches :math:`\mathcal B` of :math:`B` consecutive entries (see :func:`batches`).
    Each batch makes one update with

    .. math:: g_t = \frac{1}{|\mathcal B|} \sum_{i \in \mathcal B} \nabla \ell_i(\theta_t),

    the rule's ``step`` does the rest, and a schedule advances by one every update.
    ``batch_size=1`` with ``sampling="sequential"`` is the per-sample loop of the course
    notes; ``batch_size=n`` is full-batch gradient descent, with :math:`n` per-sample
    gradients of work per step.

    Examples
    --------
    >>> from gdbook import data, linreg, optim
    >>> x, y = data.line_data(20, rng=np.random.default_rng(0))
    >>> X = linreg.design_matrix(data.scale(x, by=100))
    >>> run = minibatch(optim.SGD(lr=0.5), linreg.mse, linreg.mse_grad, [0.0, 0.0],
    ...                 X, data.scale(y, by=100), batch_size=8, n_epochs=2,
    ...                 rng=np.random.default_rng(1))
    >>> run.steps.tolist(), run.work.tolist()
    ([0, 1, 2, 3, 4, 5, 6], [0, 8, 16, 20, 28, 36, 40])
    """
    inputs, targets = _samples(X, y)
    n = len(targets)
    size = _checks.count(batch_size, "batch_size")
    if size > n:
        raise ValueError(f"batch_size must be at most the {n} samples, got {batch_size!r}")
    epochs = _checks.count(n_epochs, "n_epochs", minimum=0)
    every = _checks.count(record_every, "record_every")
    per_epoch = n // size if drop_last else -(-n // size)
    orders = _orders(n, rng=rng, sampling=sampling)
    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(
        lambda t: loss(t, inputs, targets),
        lambda t: grad(t, inputs, targets),
        theta0,
        n_steps=epochs * per_epoch,
        tols=tols,
        at_rest=lambda point: False,  # the next batch's gradient is not the full one
    )
    theta, state = run.theta, rule.init(run.theta)
    for _, order in zip(range(epochs), orders, strict=False):  # orders never ends
        X_epoch, y_epoch = inputs[order], targets[order]  # x and y move together
        for start in range(0, per_epoch * size, size):
            if run.stopped:
                return run.trajectory()
            X_b, y_b = X_epoch[start : start + size], y_epoch[start : start + size]
            eta = lr_at(rule.lr, run.t)
            g = np.asarray(grad(theta, X_b, y_b), dtype=np.float64)
            theta, state = rule.step(theta, g, state)
            run.advance(theta, lr=eta, work=len(y_b), record=(run.t + 1) % every == 0)
    return run.trajectory()


def batches(
    n: int,
    *,
    batch_size: int,
    rng: np.random.Generator | None,
    sampling: Sampling = "shuffle",
    drop_last: bool = False,
) -> list[IntArray]:
    r"""The mini-batches of one epoch, as arrays of sample indices.

    Parameters
    ----------
    n : int
        The number of samples.
    batch_size : int
        Samples per batch, from 1 to ``n``.
    rng : numpy.random.Generator or None
        Source of the sampling; ``None`` only with ``sampling="sequential"``.
    sampling : {"shuffle", "replace", "sequential"}
        As in :func:`minibatch`.
    drop_last : bool
        Leave out a last batch smaller than ``batch_size``.

    Returns
    -------
    list of numpy.ndarray of int64
        The batches, in the order :func:`minibatch` uses them.

    Notes
    -----
    ``"shuffle"`` draws ``rng.permutation(n)``, ``"replace"`` draws
    ``rng.integers(0, n, size=n)``; :func:`minibatch` draws the same, once per epoch.

    Examples
    --------
    >>> batches(5, batch_size=2, rng=None, sampling="sequential")
    [array([0, 1]), array([2, 3]), array([4])]
    >>> batches(5, batch_size=2, rng=np.random.default_rng(0), drop_last=True)
    [array([2, 4]), array([3, 0])]
    """
    count = _checks.count(n, "n")
    size = _checks.count(batch_size, "batch_size")
    if size > count:
        raise ValueError(f"batch_size must be at most n = {count}, got {batch_size!r}")
    order = next(_orders(count, rng=rng, sampling=sampling))
    stop = (count // size) * size if drop_last else count
    return [order[start : start + size] for start in range(0, stop, size)]


def _orders(n: int, *, rng: np.random.Generator | None, sampling: str) -> Iterator[IntArray]:
    """Each epoch's ordering of the sample indices, drawn when it is needed."""
    if sampling not in ("shuffle", "replace", "sequential"):
        raise ValueError(f"sampling must be 'shuffle', 'replace' or 'sequential', got {sampling!r}")
    if sampling == "sequential":
        if rng is not None:
            _checks.generator(rng)
        return itertools.repeat(np.arange(n))
    rng = _checks.generator(rng)
    if sampling == "shuffle":
        return (rng.permutation(n) for _ in itertools.count())
    return (rng.integers(0, n, size=n) for _ in itertools.count())


def _samples(X: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    inputs = _checks.finite_array(X, "X")
    targets = _checks.finite_array(y, "y")
    if inputs.ndim == 0 or targets.ndim == 0:
        raise ValueError("X and y must hold one sample per row")
    if len(inputs) != len(targets):
        raise ValueError(f"X has {len(inputs)} samples but y has {len(targets)}")
    if len(targets) == 0:
        raise ValueError("X and y must hold at least one sample")
    return inputs, targets
