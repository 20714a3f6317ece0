"""What the text pages say about text models: the networks' names and explanations, and a
model's input in a line ("words, 1–2-grams, tf-idf, 20,000 tokens"). Strings and small
functions only: the window imports it at start (through ``WINDOW``)."""

from __future__ import annotations

from typing import Any

NAMES = {
    "auto": "Auto",
    "ngram_mlp": "n-gram MLP",
    "sepcnn": "sepCNN",
    "transformer": "Transformer",
    "pretrained": "Pretrained (KerasHub)",
}
ARCHITECTURES = [
    ("auto", "Auto"),
    ("ngram_mlp", "n-gram MLP (bag of words, TF-IDF)"),
    ("sepcnn", "sepCNN (word embeddings + separable convolutions)"),
    ("transformer", "Transformer (small encoder, trained here)"),
    ("pretrained", "Pretrained (a KerasHub model folder on this computer)"),
]
RATIO_THRESHOLD = 1500  # samples / words per sample: Google's text-classification guide
EXPLAIN = {
    "auto": "Google's text-classification guide: divide the number of training texts by the "
    f"words in a typical (median) text. Below {RATIO_THRESHOLD:,}, word order adds little and "
    "an n-gram MLP is best; from there on, a sepCNN learns from the order of the words.",
    "ngram_mlp": "Counts of words and word pairs (TF-IDF), ignoring their order, into a small "
    "dense network: fast, strong with few or long texts, hard to overfit.",
    "sepcnn": "Each word becomes a learned vector; separable 1-D convolutions read them in "
    "order (Chollet 2017). Better with many short texts, where word order matters.",
    "transformer": "Word and position embeddings into a small self-attention encoder "
    "(Vaswani et al. 2017), trained from scratch: reads the whole text at once; needs many "
    "texts and is slow on a CPU.",
    "pretrained": "A pretrained KerasHub text classifier (e.g. a BERT or DistilBERT preset) "
    "from a folder on this computer, fine-tuned to your classes: the best with few texts, "
    "slow without a GPU. Nothing is downloaded.",
}
STANDARDIZE = [
    ("lower_and_strip_punctuation", "Lower case, no punctuation"),
    ("lower", "Lower case"),
    ("strip_punctuation", "No punctuation"),
    ("none", "As written"),
]
STANDARDIZE_WORDS = {
    "lower_and_strip_punctuation": "lower case without punctuation",
    "lower": "lower case",
    "strip_punctuation": "without punctuation",
    "none": "as written",
}
SPLITS = [("whitespace", "Words (split at spaces)"), ("character", "Characters")]
OUTPUT_MODES = [
    ("auto", "Auto"),
    ("tf_idf", "TF-IDF"),
    ("multi_hot", "Multi-hot (present or not)"),
    ("count", "Counts"),
    ("int", "Token ids in order (sequence)"),
]
MODE_NAMES = {key: text.split(" (")[0] for key, text in OUTPUT_MODES}


def ngram_words(n: int, split: str = "whitespace") -> str:
    """'single words', '1–2-grams of words', '1–3-grams of characters'."""
    unit = "characters" if split == "character" else "words"
    return f"single {unit}" if n <= 1 else f"1–{n}-grams of {unit}"


def text_model_details(meta: dict[str, Any]) -> str:
    """ "on 1–2-grams of words, TF-IDF, 20,000 tokens" or "on sequences of 120 words" from a
    text model's metadata (its ``text`` settings as trained, auto values resolved)."""
    spec = meta.get("text") or meta.get("vectorizer") or {}
    if not isinstance(spec, dict):
        return ""
    mode = str(spec.get("output_mode") or "")
    split = str(spec.get("split") or "whitespace")
    parts = []
    if mode == "int":
        length = spec.get("sequence_length") or spec.get("output_sequence_length")
        unit = "characters" if split == "character" else "words"
        if isinstance(length, int) and length > 0:
            parts.append(f"on sequences of {length:,} {unit}")
    elif mode:
        ngrams = spec.get("ngrams")
        n = ngrams if isinstance(ngrams, int) else 1
        parts.append(f"on {ngram_words(n, split)}, {MODE_NAMES.get(mode, mode)}")
    tokens = spec.get("max_tokens") or spec.get("vocabulary_size")
    if isinstance(tokens, int) and tokens > 0:
        parts.append(f"{tokens:,} tokens")
    return ", ".join(parts)
