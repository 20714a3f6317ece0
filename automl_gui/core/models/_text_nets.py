"""The text networks on the vectorized text: the n-gram MLP, the sepCNN and a small
Transformer encoder (``core.models.text`` puts the ``TextVectorization`` in front).

Keras' own layers and ``keras.ops`` nodes only, so a saved model loads with plain Keras in
safe mode. Each function takes the vectorizer's output tensor and returns the float32
class probabilities. Word dropout (augmentation) is wrapped in ``TrainingOnly``, left out of
saved models like image augmentation.
"""

from __future__ import annotations

from typing import Any

#: the sepCNN's convolutions (Google's text classification guide, ``sepcnn_model``)
SEPCNN_FILTERS = 64
SEPCNN_KERNEL = 3
SEPCNN_POOL = 3
#: the Transformer's attention heads (key size = embedding size / heads) and its
#: feed-forward width (× the embedding size)
TRANSFORMER_HEADS = 2
TRANSFORMER_FF = 2


def classifier(keras: Any, x: Any, n_classes: int, seed: int) -> Any:
    """The float32 softmax ``probabilities`` (also under mixed precision)."""
    return keras.layers.Dense(
        int(n_classes),
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 300),
        dtype="float32",
        name="probabilities",
    )(x)


def _dropout(keras: Any, x: Any, rate: float, seed: int, name: str) -> Any:
    return keras.layers.Dropout(rate, seed=seed, name=name)(x) if rate > 0 else x


def word_dropout(keras: Any, x: Any, rate: float, seed: int, per_token: bool) -> Any:
    """Augmentation: drop whole words at random while training (``TrainingOnly``).

    On a sequence of embeddings (``per_token``) every word's vector is zeroed with
    probability ``rate`` (the noise is shared along the embedding axis), the word dropout of
    Iyyer et al. 2015, *Deep Unordered Composition Rivals Syntactic Methods for Text
    Classification*, and Gal & Ghahramani 2016's embedding dropout. On an n-gram vector each
    n-gram feature is dropped (the vector is then L2-normalized again).
    """
    if rate <= 0:
        return x
    from automl_gui.core.models.image_layers import TrainingOnly

    noise_shape = (None, int(x.shape[1]), 1) if per_token else None
    drop = keras.layers.Dropout(rate, noise_shape=noise_shape, seed=seed + 400)
    return TrainingOnly(drop, name="word_dropout")(x)


def ngram_mlp(
    keras: Any, x: Any, n_classes: int, *, units: int, dropout: float, augment: float, seed: int
) -> Any:
    """Bag of n-grams → L2 normalization → dropout → 2 × (Dense ReLU + dropout) → softmax.

    Google's *Text classification* guide, step 4 (``mlp_model``: dropout on the input, Dense
    layers of 64 units with dropout 0.2). The vector is L2-normalized as scikit-learn's
    ``TfidfVectorizer`` does (``norm="l2"``, which the guide uses): Keras' TF-IDF is
    count × IDF, which grows with the text's length.

    Two hidden layers rather than the guide's one (its ``layers=2`` counts the softmax): on
    the five datasets of ``benchmarks/_text_data`` one hidden layer scored 1-3 points higher
    on three and 3.5 and 8.5 lower on the two short-chat ones (mean test accuracy 0.748
    against 0.761; dropout 0.5 instead of 0.2 gave 0.769, within one seed's noise).

    Auto feeds it multi-hot vectors of the top 50,000 n-grams (``core.preprocess.text``),
    not the guide's TF-IDF of 20,000: the benchmark's 20-epoch sweep, mean over the five
    datasets, 0.756 (TF-IDF, 20,000), 0.788 (multi-hot, 20,000), 0.804 (multi-hot, 50,000);
    with the app's training defaults (up to 100 epochs, early stopping, 150 s cap), TF-IDF
    20,000 → multi-hot 50,000: chat_topics 0.660 → 0.665, python_docs 0.819 → 0.827,
    topic_mix 0.878 → 0.902, long_docs 0.856 → 0.889. Dropout 0.4 on multi-hot 50,000:
    0.675, 0.832, 0.903, 0.889 (0 to 1 point: kept at 0.2).
    """
    x = keras.ops.cast(x, "float32")  # multi-hot and count vectors come as int64
    x = word_dropout(keras, x, augment, seed, per_token=False)
    x = keras.layers.UnitNormalization(axis=-1, name="l2_normalize")(x)
    x = _dropout(keras, x, dropout, seed + 10, "input_dropout")
    for i in (1, 2):
        x = keras.layers.Dense(
            int(units),
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
            name=f"dense{i}",
        )(x)
        x = _dropout(keras, x, dropout, seed + 10 + i, f"dropout{i}")
    return classifier(keras, x, n_classes, seed)


def _embedding(keras: Any, ids: Any, vocabulary: int, dim: int, seed: int, name: str) -> Any:
    return keras.layers.Embedding(
        int(vocabulary),
        int(dim),
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
        name=name,
    )(ids)


def sepcnn(
    keras: Any,
    ids: Any,
    n_classes: int,
    *,
    vocabulary: int,
    embedding_dim: int,
    dropout: float,
    augment: float,
    seed: int,
) -> Any:
    """Token ids → Embedding → 2 blocks of separable 1-D convolutions → global average
    pooling → dropout → softmax.

    Google's *Text classification* guide, step 4 (``sepcnn_model`` with ``blocks=2``): a
    block is dropout + two ``SeparableConv1D`` (64 filters, kernel 3, ReLU) + max pooling
    (3); the last block doubles the filters and ends in global average pooling instead.
    Chollet 2017, *Xception*, for depthwise separable convolutions.

    Initialization: He et al. 2015 (*Delving Deep into Rectifiers*) for each part, the
    depthwise kernel counted over its own window (fan = kernel size: it mixes no channels).
    With the guide's small uniform kernels (or Glorot, whose fan counts every channel) the
    signal shrinks through the four convolutions and the network stayed at chance for 3
    epochs on 10,000 short texts that an embedding average learns to 0.95.
    """
    x = _embedding(keras, ids, vocabulary, embedding_dim, seed, "embedding")
    x = word_dropout(keras, x, augment, seed, per_token=True)
    for block, filters in ((1, SEPCNN_FILTERS), (2, SEPCNN_FILTERS * 2)):
        x = _dropout(keras, x, dropout, seed + 20 + block, f"block{block}_dropout")
        for c in (1, 2):
            x = keras.layers.SeparableConv1D(
                filters,
                SEPCNN_KERNEL,
                activation="relu",
                padding="same",
                depthwise_initializer=keras.initializers.VarianceScaling(
                    2.0, "fan_out", "uniform", seed=seed + 30 + 2 * block + c
                ),
                pointwise_initializer=keras.initializers.HeUniform(seed=seed + 40 + 2 * block + c),
                name=f"block{block}_sepconv{c}",
            )(x)
        if block == 1:
            x = keras.layers.MaxPooling1D(SEPCNN_POOL, padding="same", name="block1_pool")(x)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    x = _dropout(keras, x, dropout, seed + 50, "dropout")
    return classifier(keras, x, n_classes, seed)


def transformer(
    keras: Any,
    ids: Any,
    n_classes: int,
    *,
    vocabulary: int,
    sequence_length: int,
    embedding_dim: int,
    units: int,
    dropout: float,
    augment: float,
    seed: int,
) -> Any:
    """Token ids → token + position embeddings → one Transformer encoder block → mean over
    the words (padding left out) → dropout → Dense ReLU → dropout → softmax.

    Vaswani et al. 2017, *Attention Is All You Need* (post-norm encoder block: multi-head
    self-attention and a feed-forward layer, each with a residual connection and layer
    normalization), at the size of Keras' "Text classification with Transformer" example.
    Positions come from the ids (a cumulative sum of ones), the padding mask from ids ≠ 0:
    ``keras.ops`` nodes, no custom layer.
    """
    ops = keras.ops
    mask = ops.not_equal(ids, 0)
    positions = ops.subtract(ops.cumsum(ops.ones_like(ids), axis=1), 1)
    tokens = _embedding(keras, ids, vocabulary, embedding_dim, seed, "token_embedding")
    where = _embedding(
        keras, positions, sequence_length, embedding_dim, seed + 1, "position_embedding"
    )
    x = keras.layers.Add(name="embeddings")([tokens, where])
    x = word_dropout(keras, x, augment, seed, per_token=True)
    heads = TRANSFORMER_HEADS
    attention = keras.layers.MultiHeadAttention(
        heads,
        max(1, int(embedding_dim) // heads),
        dropout=dropout,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 60),
        name="attention",
    )(x, x, attention_mask=ops.expand_dims(mask, 1))
    attention = _dropout(keras, attention, dropout, seed + 61, "attention_dropout")
    x = keras.layers.LayerNormalization(epsilon=1e-6, name="attention_norm")(
        keras.layers.Add(name="attention_residual")([x, attention])
    )
    ff = keras.layers.Dense(
        int(embedding_dim) * TRANSFORMER_FF,
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 62),
        name="feed_forward1",
    )(x)
    ff = keras.layers.Dense(
        int(embedding_dim),
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 63),
        name="feed_forward2",
    )(ff)
    ff = _dropout(keras, ff, dropout, seed + 64, "feed_forward_dropout")
    x = keras.layers.LayerNormalization(epsilon=1e-6, name="feed_forward_norm")(
        keras.layers.Add(name="feed_forward_residual")([x, ff])
    )
    # mean over the real words: a text with none (all padding) gives zeros, never NaN
    weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
    total = ops.sum(ops.multiply(x, weights), axis=1)
    x = ops.divide(total, ops.maximum(ops.sum(weights, axis=1), 1.0))
    x = _dropout(keras, x, dropout, seed + 65, "pool_dropout")
    x = keras.layers.Dense(
        int(units),
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 66),
        name="dense",
    )(x)
    x = _dropout(keras, x, dropout, seed + 67, "dropout")
    return classifier(keras, x, n_classes, seed)
