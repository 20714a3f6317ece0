"""End-to-end: the command line on text datasets (train, predict on typed texts, files and
tables, a search, bad options), in process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import call_cli as _cli

from automl_gui.core.kinds import kind_named

TEXT = kind_named("text")
TABLE_MODEL = Path(__file__).parents[1] / "core" / "fixtures" / "bundles" / "before_issue13_binary"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("runs") / "posts-model"
    proc = _cli(
        "train",
        str(TEXT.sample_path()),
        "--model",
        "ngram_mlp",
        "--epochs",
        "3",
        "--out",
        str(out),
        cwd=out.parent,
    )
    return out, proc


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> Path:
    """Class folders of .txt files: two topics with words of their own."""
    root = tmp_path_factory.mktemp("mail") / "mail"
    words = {"spam": "win prize money free offer click", "ham": "meeting lunch report notes team"}
    for label, vocabulary in words.items():
        (root / label).mkdir(parents=True)
        bag = vocabulary.split()
        for i in range(12):
            text = " ".join(bag[(i + k) % len(bag)] for k in range(4))
            (root / label / f"{i:02}.txt").write_text(f"{text} number {i}", encoding="utf-8")
    return root


def test_train_on_a_text_table_writes_the_model_and_predictions(run):
    out, proc = run
    assert proc.returncode == 0, proc.stderr
    for name in ("model.keras", "metadata.json", "report.json", "test_predictions.csv"):
        assert (out / name).is_file(), name
    assert (out / "samples.npy").is_file()
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["kind"] == "text" and meta["architecture"] == "ngram_mlp"
    assert meta["text_column"] == "text" and meta["label_column"] == "topic"
    assert "Data: 240 texts in 4 classes" in proc.stdout
    assert "Model: N-gram MLP on multi-hot vectors of 1- to 2-grams" in proc.stdout
    assert "Test: accuracy" in proc.stdout and "Traceback" not in proc.stderr


def test_predict_typed_texts_prints_and_writes_answers(run, tmp_path):
    out, _ = run
    csv = tmp_path / "typed.csv"
    proc = _cli(
        "predict",
        str(out),
        "--text",
        "The marathon runners sprinted the last lap",
        "--text",
        "   ",
        "--text",
        "xyzzy plugh",
        "--out",
        str(csv),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(csv, keep_default_na=False)
    assert list(frame.columns[:4]) == ["path", "text", "prediction", "confidence"]
    assert list(frame.columns[-2:]) == ["error", "warning"]
    assert frame.loc[0, "prediction"] in ("cooking", "sports", "technology", "travel")
    assert frame.loc[1, "error"] and frame.loc[1, "prediction"] == ""
    assert frame.loc[2, "prediction"] and "vocabulary" in frame.loc[2, "warning"]
    assert list(frame["warning"] != "") == [False, False, True]
    first, second, third, fourth = proc.stdout.splitlines()[:4]
    assert first.startswith(f"{frame.loc[0, 'prediction']}  ") and "marathon" in first
    assert second.startswith("—  ") and "xyzzy plugh" in third
    assert fourth == f"   ({frame.loc[2, 'warning']})"
    assert "Wrote 2 predictions" in proc.stdout
    assert "1 text could not be classified" in proc.stderr
    assert "1 text answered without any word the model knows" in proc.stderr


def test_predict_files_and_a_table(run, folders, tmp_path):
    out, _ = run
    csv = tmp_path / "files.csv"
    proc = _cli("predict", str(out), str(folders / "spam"), "--out", str(csv), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_csv(csv)) == 12 and "Wrote 12 predictions" in proc.stdout
    one = sorted((folders / "ham").iterdir())[0]
    proc = _cli("predict", str(out), str(one), "--out", str(tmp_path / "one.csv"), cwd=tmp_path)
    assert proc.returncode == 0 and "Wrote 1 prediction to" in proc.stdout, proc.stderr
    table = tmp_path / "new.csv"
    pd.DataFrame({"text": ["I baked bread with garlic", "The hotel by the beach"]}).to_csv(
        table, index=False
    )
    proc = _cli("predict", str(out), str(table), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(tmp_path / "new_predictions.csv")
    assert list(frame["path"]) == [f"{table}#1", f"{table}#2"]


def test_train_on_class_folders_with_vectorization_options(folders, tmp_path):
    out = tmp_path / "mail-model"
    proc = _cli(
        "train",
        str(folders),
        "--model",
        "ngram_mlp",
        "--max-tokens",
        "500",
        "--ngrams",
        "1",
        "--output-mode",
        "multi_hot",
        "--augment",
        "--epochs",
        "1",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["data"]["layout"] == "class_folders"
    text = meta["text"]
    assert (text["max_tokens"], text["ngrams"], text["output_mode"]) == (500, 1, "multi_hot")
    assert text["word_dropout"] == pytest.approx(0.1)  # --augment: word dropout


def test_columns_are_chosen_by_the_options(tmp_path):
    table = tmp_path / "reviews.csv"
    rows = [
        (f"review {i}", f"{'great lovely fine' if i % 2 else 'awful poor bad'} product {i}", s)
        for i, s in enumerate(["neg", "pos"] * 10)
    ]
    pd.DataFrame(rows, columns=["title", "body", "stars"]).to_csv(table, index=False)
    out = tmp_path / "m"
    proc = _cli(
        "train",
        str(table),
        "--text-column",
        "body",
        "--target",
        "stars",
        "--model",
        "ngram_mlp",
        "--epochs",
        "1",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr  # two text columns: a table until --text-column
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["text_column"] == "body" and meta["label_column"] == "stars"


def test_a_search_on_texts_prints_its_leaderboard(tmp_path):
    out = tmp_path / "searched"
    proc = _cli(
        "train",
        str(TEXT.sample_path()),
        "--model",
        "auto",
        "--trials",
        "2",
        "--epochs",
        "1",
        "--no-augment",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Leaderboard" in proc.stdout and proc.stdout.count("Trial 000") == 2
    assert "architecture=" in proc.stdout and "word_dropout=none" in proc.stdout
    assert (out / "leaderboard.csv").is_file()
    assert json.loads((out / "metadata.json").read_text())["kind"] == "text"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--max-tokens", "5"], "Vocabulary size (max tokens) 5 is out of range."),
        (["--sample-rate", "8000"], "--sample-rate is for an audio folder, but"),
        (["--output-mode", "int", "--model", "ngram_mlp"], "cannot take token id sequences"),
        (["--text-column", "nope"], "nope"),
        (["--model", "ngram_mlp", "--weights", "x"], "--weights needs --model pretrained."),
        (["--model", "pretrained", "--weights", "nowhere"], "folder nowhere does not exist"),
    ],
)
def test_bad_text_options_are_one_line_errors(args, words, tmp_path):
    proc = _cli("train", str(TEXT.sample_path()), *args, "--epochs", "1", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert proc.stderr.startswith("error: ") and words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_text_options_on_other_data_and_typed_text_on_other_models(folders, tmp_path):
    images = tmp_path / "pics"
    (images / "a").mkdir(parents=True)
    (images / "a" / "1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    proc = _cli("train", str(images), "--text-column", "body", cwd=tmp_path)
    assert proc.returncode == 1 and "--text-column is for tables" in proc.stderr
    proc = _cli("train", str(images), "--max-tokens", "500", cwd=tmp_path)
    assert proc.returncode == 1 and "--max-tokens is for a text dataset" in proc.stderr
    (tmp_path / "texts_predictions.csv").write_text("x\n", encoding="utf-8")
    proc = _cli("predict", str(TABLE_MODEL), "--text", "hello", cwd=tmp_path)
    assert proc.returncode == 1 and "Typed text is for text models" in proc.stderr  # not --out
    proc = _cli("predict", str(TABLE_MODEL), cwd=tmp_path)
    assert proc.returncode == 1 and "Nothing to predict on" in proc.stderr
