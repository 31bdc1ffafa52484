"""Django app of the softdelete transparent-mode example (see ../example_transparent.py)."""
