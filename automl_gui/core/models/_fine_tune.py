"""Fine-tuning the top of a pretrained backbone, for every model that has one: the image and
sound networks (``ImageModel``) and the pretrained text models (``TextModel``).

Phase 2 of a two-phase transfer-learning fit (Yosinski et al. 2014, *How transferable are
features in deep neural networks?*; Keras' transfer-learning guide): the top layers of the
backbone are unfrozen and trained at a lower learning rate, the rest stays frozen.
"""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.errors import ConfigError


class FineTuning:
    """:meth:`unfreeze_top` and :attr:`max_fine_tune_layers` over ``self.backbone`` (None for
    the networks trained from scratch, which train whole in phase 1 and have nothing to
    fine-tune). Which layers with weights stay frozen anyway is :meth:`_stays_frozen`."""

    backbone: Any

    def _stays_frozen(self, layer: Any) -> bool:
        """True for a backbone layer fine-tuning leaves frozen (none here)."""
        return False

    def _fine_tunable(self) -> list[Any]:
        """Backbone layers with weights that fine-tuning may unfreeze, bottom to top."""
        if self.backbone is None:
            return []
        return [
            layer
            for layer in self.backbone.layers
            if layer.weights and not self._stays_frozen(layer)
        ]

    @property
    def max_fine_tune_layers(self) -> int:
        """How many layers :meth:`unfreeze_top` can unfreeze at most (0 without a backbone)."""
        return len(self._fine_tunable())

    def unfreeze_top(self, n_layers: int) -> int:
        """Make the top ``n_layers`` fine-tunable backbone layers trainable; the number
        unfrozen (at most :attr:`max_fine_tune_layers`). ``n_layers`` counts from the output
        down; everything below stays frozen. 0 keeps the backbone frozen; without a backbone:
        0. Compile the model again afterwards.

        Raises:
            ConfigError: ``n_layers`` is negative (resolve "auto" first).
        """
        if int(n_layers) < 0:
            raise ConfigError(
                f"Cannot unfreeze {n_layers} layers.",
                "Use 0 (head only) or a positive number; resolve 'auto' first.",
            )
        if self.backbone is None:
            return 0
        candidates = self._fine_tunable()
        n = min(int(n_layers), len(candidates))
        if n == 0:
            self.backbone.trainable = False
            return 0
        self.backbone.trainable = True  # sets every sublayer trainable: freeze them again
        for layer in self.backbone.layers:
            layer.trainable = False
        for layer in candidates[-n:]:
            layer.trainable = True
        return n
