"""mila: answers questions about Mila, the Quebec AI Institute, from facts bundled with it."""

__version__ = "0.1.0"
