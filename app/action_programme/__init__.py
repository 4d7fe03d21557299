"""The action programme: the matrix of initiatives per programme period."""
