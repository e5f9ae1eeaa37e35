"""The book's own Sphinx extensions, one concern per module (see each module's docstring)."""
