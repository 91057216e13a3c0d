"""Studies: controlled comparisons (arms x seeds) run as one DVC stage each; see :mod:`benchmark.studies.runner`.

A study is self-contained: its stage depends only on ``data/prepared``, ``data/reference`` and the package, never on
the suite's trained runs. Whatever an arm needs beyond its own training (a pretrained backbone, a generator whose
samples augment the data) is trained inside the study's cell folder under the cell's seed and cached there.
"""
