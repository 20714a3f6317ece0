"""What the AutoML search explores on a text dataset: :class:`TextSpace`.

The vectorization (vocabulary size; for the n-gram MLP the n-gram length and TF-IDF,
multi-hot or counts; for the sequence networks the sequence length stays automatic) and the
network (n-gram MLP, sepCNN or Transformer, with its width: hidden units or embedding size),
dropout, word dropout and the learning rate. The first trial is what Auto would train
(Google's samples / words-per-sample rule picks the network; Auto's vectorization,
``core.preprocess.text``; 64 units, dropout 0.2, Adam at 1e-3), then the oracle picks.

Used like ``files_space.ImageSpace``: ``build(hp)`` declares (first call) and reads Keras
Tuner hyperparameters and returns the :class:`~.files_space.FilesSettings` one trial trains
with. The pretrained KerasHub model is not searched (one fixed network, slow to train on a
CPU): choose it on the Model page to train it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from automl_gui.core.preprocess.text_config import (
    AUTO_MAX_TOKENS,
    AUTO_MAX_TOKENS_BAG,
    AUTO_OUTPUT_MODE_BAG,
)
from automl_gui.core.tune.search.files_space import FilesSettings

__all__ = ["TEXT_AUGMENT", "TextSpace", "text_space"]

#: augmentation strength → the word dropout it trains with
TEXT_AUGMENT = {"none": 0.0, "light": 0.1, "medium": 0.2}
NETWORKS = ("ngram_mlp", "sepcnn", "transformer")
SEQUENCE_NETWORKS = ("sepcnn", "transformer")
MAX_TOKENS = (5_000, 20_000, 50_000)
UNITS = (32, 64, 128)
EMBEDDINGS = (32, 64, 128)
BAG_MODES = ("tf_idf", "multi_hot", "count")


class TextSpace:
    """Vectorization, network and width, dropout, word dropout, learning rate.

    Args:
        preprocess: the user's TextPreprocessConfig (standardize, split, the data split;
            its vocabulary and n-gram settings are the search's).
        model_config: the user's TextModelConfig.
        auto_network: the network Auto picks for this dataset (the first trial's).
        augments: the word dropout strengths tried (keys of :data:`TEXT_AUGMENT`).
        networks: the networks tried.
    """

    kind = "text"
    defaults_first = True

    def __init__(
        self,
        preprocess: Any,
        model_config: Any,
        auto_network: str = "ngram_mlp",
        augments: tuple[str, ...] = tuple(TEXT_AUGMENT),
        networks: tuple[str, ...] = NETWORKS,
    ) -> None:
        self.preprocess, self.model_config = preprocess, model_config
        self.networks = list(networks)
        self.auto_network = auto_network if auto_network in self.networks else self.networks[0]
        self.augments = list(augments)

    def build(self, hp: Any) -> FilesSettings:
        """Declare (first call) and read the hyperparameters of ``hp``."""
        arch = hp.Choice("architecture", self.networks, default=self.auto_network)
        bag_first = self.auto_network == "ngram_mlp"
        first_tokens = AUTO_MAX_TOKENS_BAG if bag_first else AUTO_MAX_TOKENS
        max_tokens = hp.Choice("max_tokens", list(MAX_TOKENS), default=first_tokens)
        ngrams, mode, units, embedding = 1, "int", self.model_config.units, 0
        if "ngram_mlp" in self.networks:
            with hp.conditional_scope("architecture", ["ngram_mlp"]):
                ngrams = hp.Choice("ngrams", [1, 2, 3], default=2)
                mode = hp.Choice("output_mode", list(BAG_MODES), default=AUTO_OUTPUT_MODE_BAG)
                units = hp.Choice("units", list(UNITS), default=64)
        sequence = [n for n in self.networks if n in SEQUENCE_NETWORKS]
        if sequence:
            with hp.conditional_scope("architecture", sequence):
                embedding = hp.Choice("embedding_dim", list(EMBEDDINGS), default=64)
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.2)
        default_augment = "none" if "none" in self.augments else self.augments[0]
        augment = hp.Choice("word_dropout", self.augments, default=default_augment)
        lr = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log", default=1e-3)

        bag = arch == "ngram_mlp"
        pre = replace(
            self.preprocess,
            max_tokens=int(max_tokens),
            ngrams=int(ngrams) if bag else 1,
            output_mode=str(mode) if bag else "int",
            word_dropout=TEXT_AUGMENT[augment],
        )
        sizes: dict[str, Any] = {"units": int(units or self.model_config.units)}
        if not bag:
            sizes["embedding_dim"] = int(embedding or self.model_config.embedding_dim)
        model = replace(self.model_config, architecture=arch, dropout=float(dropout), **sizes)
        return FilesSettings(
            architecture=arch, preprocess=pre, model_config=model, learning_rate=float(lr)
        )

    def before_trial(self, trial_id: str, settings: FilesSettings) -> FilesSettings:
        """Hook called with each trial's settings just before it trains; returns them."""
        return settings


def text_space(
    dataset: Any,
    preprocess: Any,
    model_config: Any,
    *,
    allow_scratch_backbones: bool = False,
    on_event: Any = None,
    **options: Any,
) -> TextSpace:
    """The text kind's default search space for ``dataset``: the first trial's network is
    Auto's for the dataset's training share and median text length (no backbones, so
    ``allow_scratch_backbones`` changes nothing). ``options`` go to the space."""
    from automl_gui.core.preprocess.text import auto_text_architecture

    share = 1.0 - float(preprocess.validation_fraction) - float(preprocess.test_fraction)
    n_train = max(1, round(len(dataset.items) * share))
    auto, _reason = auto_text_architecture(n_train, float(dataset.median_words()))
    return TextSpace(preprocess, model_config, auto_network=auto, **options)
