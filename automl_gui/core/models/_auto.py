"""What Auto picks for a table network's numeric embedding, bins and ensemble members.

Chosen by measurement on the quality benchmark's tables (``benchmarks/_quality_tables.py``)
with ``benchmarks/tab_network_defaults.py``: each table sampled to 3,000 rows, the app's
split, the table kind's default training (Adam 1e-3, plateau schedule, early stopping with
patience 6, at most 15 epochs), Auto hidden layers; test accuracy (classification) or R²
(regression), measured on 2 shared, heavily loaded cores (CPU seconds of the whole job):

=============  =====  =========  =====  ==========  ====================
table          plain  piecewise  TabM8  piecewise   CPU s plain / pw+k8
                                        + TabM8
=============  =====  =========  =====  ==========  ====================
nass_cds        .852       .854   .827        .814   7.5 / 8.0
gss_wages       .318       .333   .330        .344   6.1 / 8.6
synthetic_50k   .871       .871   .860        .876   5.6 / 10.8
loans           .343       .322   .374        .390   10.1 / 23.1
diabetes        .345       .408   .365        .443   3.2 / 3.8
breast_cancer  1.000      1.000  1.000       1.000   6.3 / 6.4
mean (5)        .546       .558   .551        .573
=============  =====  =========  =====  ==========  ====================

Piecewise-linear encoding with an 8-member efficient ensemble is best on 4 of the 5 tables
that separate the variants and on average (+2.7 points over the plain MLP); it loses on
nass_cds (accuracy under balanced class weights). A second run, at most 40 epochs:

=========  =========  ============  ============  =============  =============
table      piecewise  pw + TabM4    pw + TabM8    pw + TabM16    PLR + TabM8
=========  =========  ============  ============  =============  =============
loans           .322          .367          .390           .376           .384
nass_cds        .854          .850          .814           .845           .843
diabetes        .408          .427          .454           .457           .486
gss_wages       .302          .291          .338           .348           .339
mean            .472          .484          .499           .507           .513
CPU s gss        8.9          12.8          13.9           20.8           19.1
=========  =========  ============  ============  =============  =============

Members help on every table but nass_cds; 16 members and periodic (PLR) embeddings score
within 1.4 points of 8 piecewise members at about 1.4-1.5 times the CPU, so Auto keeps
piecewise + 8 (the search tries the others: ``tune/search/space.py``). A 50,000-row table
(synthetic_50k, 35,000 training rows, 20 numbers): 2 epochs took 7.7 CPU s for the plain MLP
and 19.7 for piecewise + 8 members (build and evaluation included; 1.0 GB peak), accuracy
.811 and .839. Figures measured under contention (load ~10 on 2 cores), all variants of a
table in one run, one seed: differences of a point or two are within noise.
"""

from __future__ import annotations

#: numeric columns from which Auto leaves numbers unembedded and builds one network: a wide
#: table's grouped vector (``preprocess._build.GROUP_NUMERIC_FROM``) times the bins, or times
#: the members, would make the first layer huge
AUTO_EMBED_UP_TO = 99
AUTO_MEMBERS = 8


def auto_embedding(n_rows: int, n_numeric: int) -> str:
    """Piecewise-linear encoding for tables with 1 to :data:`AUTO_EMBED_UP_TO` numeric
    columns (see the module's figures); numbers as they are on wider tables."""
    del n_rows
    return "piecewise" if 0 < n_numeric <= AUTO_EMBED_UP_TO else "none"


def auto_bins(n_rows: int) -> int:
    """Quantile bins per numeric column: at least ~40 training rows a bin, 4 to 48 bins
    (fewer still where a column has fewer distinct values)."""
    return int(min(48, max(4, n_rows // 40)))


def auto_members(n_rows: int, n_numeric: int) -> int:
    """:data:`AUTO_MEMBERS` efficient-ensemble members (see the module's figures); one
    network on a wide table (more than :data:`AUTO_EMBED_UP_TO` numeric columns): each
    member runs the first layer on its own copy of the inputs, k times its cost."""
    del n_rows
    return AUTO_MEMBERS if n_numeric <= AUTO_EMBED_UP_TO else 1
