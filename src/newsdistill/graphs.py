"""Connected groups of linked items: the one graph operation the pipeline needs.

Roundup detection groups a page's items into subjects, and the verifier groups conflicting
figures into discrepancies; both are the connected components of a small undirected graph.
"""

from __future__ import annotations

from collections.abc import Iterable


def components(n: int, edges: Iterable[tuple[int, int]]) -> list[int]:
    """A component label for each of ``n`` nodes joined by ``edges``; labels are numbered in
    the order their first node appears (node 0's component is 0)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pairs = list(edges)
    if n == 0:
        return []
    rows = np.array([a for a, _ in pairs], dtype=np.int64)
    cols = np.array([b for _, b in pairs], dtype=np.int64)
    graph = coo_matrix((np.ones(len(pairs)), (rows, cols)), shape=(n, n))
    _, raw = connected_components(graph, directed=False)
    first: dict[int, int] = {}
    return [first.setdefault(int(r), len(first)) for r in raw]
