"""Model settings for tabular MLPs: a JSON-serializable dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

ACTIVATIONS = ("relu", "gelu", "silu", "tanh", "elu", "selu")
#: how numeric features enter the network (``core/models/_tab_embed.py``): "none" as scaled
#: values; "piecewise": piecewise-linear encoding on quantile bins; "periodic": PLR(lite)
#: (Gorishniy et al. 2022, "On Embeddings for Numerical Features in Tabular Deep Learning")
NUMERIC_EMBEDDINGS = ("auto", "none", "piecewise", "periodic")
MAX_BINS = 64  # piecewise bins per numeric column a setting may ask for
MAX_ENSEMBLE = 32  # efficient-ensemble members a setting may ask for


@dataclass
class MLPConfig:
    """A multilayer perceptron on the preprocessed features.

    With ``auto`` true, the builder sizes ``hidden_units`` from the number of rows and features
    (and ignores the list given here); otherwise ``hidden_units`` is used as is, one entry per
    hidden layer.

    ``numeric_embedding`` (one of :data:`NUMERIC_EMBEDDINGS`), ``n_bins`` (piecewise bins per
    numeric column, 0 = Auto) and ``ensemble_size`` (TabM-style members sharing the MLP, 0 =
    Auto, 1 = a single MLP) are resolved by :meth:`resolved`.
    """

    auto: bool = True
    hidden_units: list[int] = field(default_factory=lambda: [64, 32])
    activation: str = "relu"
    dropout: float = 0.1
    l1: float = 0.0
    l2: float = 1e-4
    batch_norm: bool = False
    embedding_dim: int | None = None  # None: auto from cardinality
    numeric_embedding: str = "auto"
    n_bins: int = 0
    ensemble_size: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MLPConfig:
        """Settings from JSON; keys missing from older projects take their defaults."""
        return cls(**data)

    def auto_fields(self) -> list[str]:
        """The settings Auto decides here (the metadata's ``auto_chose``)."""
        chosen = ["hidden_units"] if self.auto else []
        if self.numeric_embedding == "auto":
            chosen.append("numeric_embedding")
        if self.n_bins <= 0 and self.numeric_embedding in ("auto", "piecewise"):
            chosen.append("n_bins")
        if self.ensemble_size <= 0:
            chosen.append("ensemble_size")
        return chosen

    def resolved(self, n_rows: int, n_numeric: int) -> MLPConfig:
        """A copy with the Auto embedding, bins and members filled in for a table of
        ``n_rows`` training rows and ``n_numeric`` numeric columns (see ``_auto``)."""
        from automl_gui.core.models._auto import auto_bins, auto_embedding, auto_members

        embedding = self.numeric_embedding
        if embedding == "auto":
            embedding = auto_embedding(n_rows, n_numeric)
        if n_numeric == 0:
            embedding = "none"
        bins = self.n_bins if embedding == "piecewise" else 0  # bins apply to piecewise only
        if embedding == "piecewise" and bins <= 0:
            bins = auto_bins(n_rows)
        members = self.ensemble_size if self.ensemble_size > 0 else auto_members(n_rows, n_numeric)
        return replace(self, numeric_embedding=embedding, n_bins=bins, ensemble_size=members)
