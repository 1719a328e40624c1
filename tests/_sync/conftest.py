"""Hand-written twin of tests/_async/conftest.py: blocking tests need no event loop fixture."""
