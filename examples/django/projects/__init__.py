"""Django app of the softdelete example (see ../example.py)."""
