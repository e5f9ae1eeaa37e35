"""IPython settings of the kernels that execute the chapters (see bookext/figures.py)."""

c = get_config()  # noqa: F821 - provided by IPython when it reads this file

# Figures as SVG: sharp at any pixel density and, gzipped, smaller than a PNG.
c.InlineBackend.figure_formats = {"svg"}
# No creation date in the file, and ids from a fixed salt: the same figure, the same bytes.
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
c.InlineBackend.rc = {"svg.hashsalt": "gdbook", "svg.fonttype": "path"}
# The kernel writes no history database.
c.HistoryManager.enabled = False
