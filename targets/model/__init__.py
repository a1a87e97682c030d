"""Reference model: seeded synthetic fraud data, a scikit-learn model exported to ONNX."""

from __future__ import annotations

from typing import Any

__all__ = ["ModelArtifacts", "build_model"]


def __getattr__(name: str) -> Any:
    # Lazy so `python -m targets.model.build` does not import build twice (runpy warning).
    if name in __all__:
        from targets.model import build

        return getattr(build, name)
    raise AttributeError(name)
