r"""Bridges between gdbook's NumPy parameters and PyTorch models, for side-by-side runs.

This is the only module of ``gdbook`` that imports PyTorch; import it only where a
page uses PyTorch (``pip install gdbook[torch]``). :func:`linear` builds a float64
``torch.nn.Linear`` with the parameters of a gdbook linear model, :func:`theta_of` reads
them back, and :func:`sgd_iterates` runs PyTorch's own training loop and returns every
iterate, to compare step for step with :func:`gdbook.optim.gradient_descent`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import torch

from gdbook import _checks
from gdbook._checks import FloatArray

__all__ = ["linear", "sgd_iterates", "theta_of"]

LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def linear(theta: npt.ArrayLike, *, bias: bool = True) -> torch.nn.Linear:
    r"""A float64 ``torch.nn.Linear`` with one output and the parameters ``theta``.

    Parameters
    ----------
    theta : array_like, shape (p,)
        gdbook's parameters in the order of a design matrix's columns: the weights of
        the inputs, then (with ``bias``) the bias, the weight of the column of ones.
    bias : bool
        Whether the last entry of ``theta`` is a bias.

    Returns
    -------
    torch.nn.Linear
        ``weight`` of shape ``(1, p - 1)`` (or ``(1, p)`` without bias) and ``bias`` of
        shape ``(1,)``, as parameters that require gradients.

    Notes
    -----
    .. math:: \hat y_i = x_i^\top w + b = (x_i, 1)^\top \theta, \qquad \theta = (w, b)

    PyTorch keeps :math:`w` and :math:`b` apart; gdbook folds :math:`b` into
    :math:`\theta` with a column of ones in :math:`X`. Both compute the same predictions.

    Examples
    --------
    >>> model = linear([2.0, 1.0])
    >>> model.weight.tolist(), model.bias.tolist(), model.weight.dtype
    ([[2.0]], [1.0], torch.float64)
    """
    values = _checks.vector(theta, "theta")
    n_inputs = values.size - 1 if bias else values.size
    if n_inputs < 1:
        raise ValueError(f"theta must hold a weight as well as the bias, got {values}")
    model = torch.nn.Linear(n_inputs, 1, bias=bias, dtype=torch.float64)
    with torch.no_grad():  # setting parameters is not part of any computation to differentiate
        model.weight.copy_(torch.from_numpy(values[:n_inputs]).reshape(1, -1))
        if bias:
            model.bias.fill_(float(values[-1]))
    return model


def theta_of(model: torch.nn.Module) -> FloatArray:
    r"""A model's parameters as one gdbook parameter vector.

    Parameters
    ----------
    model : torch.nn.Module
        For example from :func:`linear`.

    Returns
    -------
    numpy.ndarray of float64, shape (p,)
        Every parameter, flattened in the order of ``model.parameters()``: for
        ``nn.Linear``, the weights then the bias, as :func:`linear` takes them.

    Examples
    --------
    >>> theta_of(linear([2.0, -1.0, 0.5]))
    array([ 2. , -1. ,  0.5])
    """
    _checks.instance(model, torch.nn.Module, "model")
    vector = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    return vector.to(torch.float64).numpy().copy()


def sgd_iterates(
    model: torch.nn.Module,
    loss_fn: LossFunction,
    inputs: npt.ArrayLike,
    targets: npt.ArrayLike,
    *,
    lr: float,
    n_steps: int,
) -> tuple[FloatArray, FloatArray]:
    r"""Train a copy of ``model`` with ``torch.optim.SGD`` on the full batch; every iterate.

    Parameters
    ----------
    model : torch.nn.Module
        The starting model, left unchanged (a copy is trained).
    loss_fn : callable
        ``loss_fn(predictions, targets)``, such as ``torch.nn.MSELoss()`` or
        ``torch.nn.BCEWithLogitsLoss()``; predictions are the model's outputs with the
        last axis of length 1 removed.
    inputs : array_like, shape (n, d)
        One row per sample, without a column of ones (the model has its own bias).
    targets : array_like, shape (n,)
        The targets or labels.
    lr : float
        The learning rate of ``torch.optim.SGD``.
    n_steps : int
        How many updates.

    Returns
    -------
    thetas : numpy.ndarray of float64, shape (n_steps + 1, p)
        :func:`theta_of` the model before the first step and after each step.
    losses : numpy.ndarray of float64, shape (n_steps + 1,)
        The loss at each row of ``thetas``.

    Notes
    -----
    Each step is PyTorch's training loop: ``zero_grad()``, the forward pass, the loss,
    ``backward()``, ``step()``; with no momentum and no weight decay, ``step()`` is

    .. math:: \theta_{t+1} = \theta_t - \eta\, \nabla L(\theta_t).

    Examples
    --------
    >>> thetas, losses = sgd_iterates(linear([0.0, 0.0]), torch.nn.MSELoss(),
    ...                               [[1.0], [2.0]], [3.0, 5.0], lr=0.1, n_steps=2)
    >>> thetas.round(4), losses.round(4)
    (array([[0.  , 0.  ],
           [1.3 , 0.8 ],
           [1.71, 1.05]]), array([17.    ,  1.685 ,  0.1693]))
    """
    X = torch.from_numpy(_checks.design_matrix(inputs, "inputs"))
    y = torch.from_numpy(_checks.vector(targets, "targets"))
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"inputs has {X.shape[0]} rows but targets has {y.shape[0]} values")
    steps = _checks.count(n_steps, "n_steps", minimum=0)
    trained = copy.deepcopy(_checks.instance(model, torch.nn.Module, "model"))
    optimizer = torch.optim.SGD(trained.parameters(), lr=_checks.positive(lr, "lr"))
    thetas, losses = [theta_of(trained)], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(trained(X).squeeze(-1), y)
        loss.backward()  # type: ignore[no-untyped-call]  # Tensor.backward has no hints
        optimizer.step()
        losses.append(loss.item())
        thetas.append(theta_of(trained))
    with torch.no_grad():
        losses.append(loss_fn(trained(X).squeeze(-1), y).item())
    return np.array(thetas), np.array(losses)
