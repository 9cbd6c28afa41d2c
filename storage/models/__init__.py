"""All models. Every module in this package is imported, so its tables join ``Base.metadata``
(Alembic and the tests see them) without a list to keep up to date."""

from __future__ import annotations

import importlib
import pkgutil

from storage.models.base import Base

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Base"]
