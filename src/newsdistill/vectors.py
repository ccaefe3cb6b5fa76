"""A TF-IDF space over sentences: the shared measure of "says the same thing".

Built once per set of articles and used by salience, citation alignment and verification.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from .textutil import content_terms


class TermSpace:
    """Vocabulary and inverse document frequencies learned from a set of texts."""

    def __init__(self, texts: Iterable[str]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            df.update(set(content_terms(text)))
            n += 1
        self.n_docs = max(n, 1)
        self.vocab = {t: i for i, t in enumerate(sorted(df))}
        # Smoothed IDF; terms never seen get the highest weight (they are the most specific).
        self.idf = np.array(
            [math.log((1 + self.n_docs) / (1 + df[t])) + 1.0 for t in sorted(df)], dtype=np.float32
        )
        self.unseen_idf = math.log(1 + self.n_docs) + 1.0

    def weight(self, term: str) -> float:
        i = self.vocab.get(term)
        return float(self.idf[i]) if i is not None else self.unseen_idf

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised TF-IDF rows, one per text (terms outside the vocabulary ignored)."""
        m = np.zeros((len(texts), len(self.vocab)), dtype=np.float32)
        for r, text in enumerate(texts):
            for term, count in Counter(content_terms(text)).items():
                c = self.vocab.get(term)
                if c is not None:
                    m[r, c] = (1.0 + math.log(count)) * self.idf[c]
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return m / norms

    def sparse_matrix(self, texts: Sequence[str]) -> Any:
        """Like ``matrix`` but as a SciPy CSR matrix: large article sets have vocabularies of
        tens of thousands of terms, where dense rows would cost gigabytes."""
        from scipy import sparse

        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, text in enumerate(texts):
            weights = {}
            for term, count in Counter(content_terms(text)).items():
                c = self.vocab.get(term)
                if c is not None:
                    weights[c] = (1.0 + math.log(count)) * float(self.idf[c])
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for c, w in weights.items():
                rows.append(r)
                cols.append(c)
                vals.append(w / norm)
        return sparse.csr_matrix(
            (np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(texts), len(self.vocab))
        )

    def recall(self, claim_terms: Sequence[str], source_terms: AbstractSet[str]) -> float:
        """IDF-weighted share of the claim's terms that the source also has."""
        total = sum(self.weight(t) for t in claim_terms)
        if total == 0:
            return 0.0
        return sum(self.weight(t) for t in claim_terms if t in source_terms) / total
