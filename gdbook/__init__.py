"""gdbook: the companion package of *Gradient Descent, from the Derivative Up*.

Every algorithm the book teaches lives here once, tested; the chapters import it in
plain sight. Import the modules you need::

    from gdbook import calculus, data, losses, plotting

Importing :mod:`gdbook` itself has no side effects: it sets no matplotlib options, seeds
no generator and does not import PyTorch. Only ``gdbook.torchtools`` imports PyTorch, for
the pages that use it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
