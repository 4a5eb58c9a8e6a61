"""Python: requirements files, pyproject.toml, Pipfile and the lockfiles of Poetry, uv, PDM, Pipenv and PEP 751."""
