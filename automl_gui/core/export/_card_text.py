"""What a text model's card says about calling it: the encoded input of its TFLite/ONNX
export in words, and the Python that feeds it texts (a pandas column or a list of strings).

The ``.keras`` and SavedModel exports take raw strings (``tf.constant([...])``: Keras refuses
NumPy unicode arrays). The TFLite and ONNX files take the vectorized texts, so their snippet
carries a plain-Python copy of the vectorizer that reads ``preprocessing.json``: the user
needs neither TensorFlow nor this app, and ``tests/core/test_text_export.py`` runs it in a
Python that cannot import the app and compares its answers with the app's (it is the same
recipe as :func:`._text_encode.encode_texts`, written out for the reader).
"""

from __future__ import annotations

import json
from typing import Any

from automl_gui.core.export._card_trust import DECIDE_CODE

_MODES = {
    "token_indices": "the token indices of each text (0 = padding, 1 = unknown word)",
    "tf_idf": "the TF-IDF vector of each text (count x idf weight per vocabulary entry)",
    "multi_hot": "the multi-hot vector of each text (1.0 per vocabulary entry present)",
    "count": "the count vector of each text (occurrences per vocabulary entry)",
}


def encoded_input_text(item: dict[str, Any]) -> str:
    """The converted file's input in words (``item``: preprocessing.json's input entry)."""
    width = item["shape"][1]
    what = _MODES.get(item["encoding"], item["encoding"])
    return (
        f"{item['input']}: {item['dtype']} (n, {width if width is not None else 'length'}), "
        f"{what}, made from raw texts as preprocessing.json's 'vectorizer' describes"
    )


_HEAD = """\
import json
{stdlib}
{imports}
with open({metadata}, encoding="utf-8") as f:
    meta = json.load(f)
df = pd.read_csv("new_texts.csv")  # or any list of strings: texts = ["a text", ...]
texts = df[{column}].fillna("").astype(str).tolist()
"""

#: a plain-Python TextVectorization that follows preprocessing.json (no TensorFlow needed)
_VECTORIZE = '''
with open("preprocessing.json", encoding="utf-8") as f:
    item = json.load(f)["inputs"][0]
v = item["vectorizer"]
LOWER = {ord(c): ord(c) + 32 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}  # ASCII only, as TF
STRIP = dict.fromkeys(map(ord, v["punctuation"]))
STANDARDIZE = {"lower": LOWER, "strip_punctuation": STRIP,
               "lower_and_strip_punctuation": {**LOWER, **STRIP}}
WORD = re.compile("[^" + re.escape(v["whitespace"]) + "]+")
INDEX = {token: i for i, token in enumerate(v["vocabulary"])}


def tokens(text):
    """The tokens the model's TextVectorization looks up, n-grams included."""
    text = text.translate(STANDARDIZE.get(v["standardize"], {}))
    words = list(text) if v["split"] == "character" else WORD.findall(text)
    if not v["ngrams"]:
        return words
    sep = v["ngram_separator"]
    return [sep.join(words[i:i + n]) for n in v["ngrams"] for i in range(len(words) - n + 1)]


def vectorize(texts):
    """Raw texts -> the model file's input, as preprocessing.json describes."""
    ids = [[INDEX.get(t, v["oov_index"]) for t in tokens(text)] for text in texts]
    if v["output_mode"] == "int":  # token indices, cut or padded with 0
        length = v["output_sequence_length"] or max(map(len, ids), default=0)
        out = np.zeros((len(ids), length), dtype=np.int64)
        for row, found in enumerate(ids):
            out[row, :len(found[:length])] = found[:length]
        return out
    out = np.zeros((len(ids), v["depth"]), dtype=np.float32)
    for row, found in enumerate(ids):
        for i in found:
            out[row, i] += 1.0
    if v["output_mode"] == "multi_hot":
        return np.minimum(out, 1.0)
    if v["output_mode"] == "tf_idf":
        return out * np.asarray(v["idf_weights"], dtype=np.float32)
    return out


'''

_CALL = {
    "keras": "model = keras.saving.load_model({model})\n"
    "answers = model.predict(tf.constant(texts), verbose=0)  # Keras takes tf strings\n",
    "savedmodel": "loaded = tf.saved_model.load({model})\n"
    "answers = loaded.serve(tf.constant(texts)).numpy()\n",
    "tflite": "runner = Interpreter(model_path={model}).get_signature_runner()\n"
    "answers = next(iter(runner(**{{item['input']: vectorize(texts)}}).values()))\n",
    "onnx": "session = onnxruntime.InferenceSession({model})\n"
    "answers = session.run(None, {{session.get_inputs()[0].name: vectorize(texts)}})[0]\n",
}
_IMPORTS = {
    "keras": "import keras\nimport pandas as pd\nimport tensorflow as tf\n",
    "savedmodel": "import pandas as pd\nimport tensorflow as tf\n",
    "tflite": "import numpy as np\nimport pandas as pd\n"
    "from ai_edge_litert.interpreter import Interpreter\n",
    "onnx": "import numpy as np\nimport onnxruntime\nimport pandas as pd\n",
}


def call_code(metadata: dict[str, Any], fmt: str, part: str, model: str, metadata_file: str) -> str:
    """Python that classifies a pandas column of texts with the exported text model (``fmt``:
    an export format; ``part``: "full" takes raw strings, "encoded" the vectorized texts;
    paths as seen from the card's folder); "" for a model that does not take raw texts
    (its metadata holds no text vectorizer settings)."""
    if not isinstance(metadata.get("text"), dict):
        return ""
    key = "tflite" if fmt.startswith("tflite") else fmt
    if key not in _CALL or (part == "encoded") != (key in ("tflite", "onnx")):
        return ""
    column = json.dumps(str(metadata.get("text_column") or "text"))
    code = _HEAD.format(
        stdlib="import re\n" if part == "encoded" else "",
        imports=_IMPORTS[key],
        metadata=json.dumps(metadata_file),
        column=column,
    )
    if part == "encoded":
        code += _VECTORIZE
        model = str((metadata.get("export") or {}).get("model_file") or model)
    code += _CALL[key].format(model=json.dumps(model))
    return code + DECIDE_CODE


__all__ = ["call_code", "encoded_input_text"]
