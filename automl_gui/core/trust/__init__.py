"""Whether a model can be trusted (issue 18): why it decides, whether its probabilities and
threshold hold, whether it works as well for every group, whether new data still looks like
its training data. Qt-free; TensorFlow imported inside functions.

- ``explanation``: :class:`Explanation`, what every kind's ``DataKind.explain`` returns.
- ``tables``: permutation importance and per-row contributions for table models.
- ``saliency``: Grad-CAM maps for image models and audio models' spectrograms.
- ``words``: the words that pushed a text model's answers.
- ``calibration``: reliability, expected calibration error, temperature scaling.
- ``thresholds``: a binary model's decision threshold (curves, choice, applying it).
- ``slices``: metrics by subgroup (fairlearn's ``MetricFrame``), gaps, four-fifths ratio.
- ``drift``: how far new data is from the training data (tables: per column; files: on the
  model's embeddings).
"""
