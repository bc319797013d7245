"""Attention Explorer's maths: the NumPy attention engine and the toy model it runs on."""
