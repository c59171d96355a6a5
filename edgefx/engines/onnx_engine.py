"""The ONNX Runtime engine: the bundle's streaming ONNX graph, run block by block with its state.

The graph (written by `edgefx export --format onnx`) takes ``x [1, T]`` and the state tensors and
returns ``y`` and the next state; this engine keeps the state between calls, so any block sizes
give the same output as one call over the whole signal.
"""

from __future__ import annotations

import numpy as np

from ..bundle import Bundle
from ..errors import BundleError


class OnnxSession:
    """An onnxruntime session over a streaming graph plus the state it carries."""

    def __init__(self, model: bytes | str, states: list[dict], threads: int | None = None) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        if threads:
            # One thread is the honest setting for per-block real-time budgets (and benchmarks).
            opts.intra_op_num_threads = int(threads)
            opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])
        self.states = [(s["name"], s["output"], tuple(int(d) for d in s["shape"])) for s in states]
        self.output_names = ["y"] + [out for _, out, _ in self.states]
        self.reset()

    def reset(self) -> None:
        """Back to rest: every state tensor zero."""
        self.state = {name: np.zeros(shape, np.float32) for name, _, shape in self.states}

    def process(self, x: np.ndarray) -> np.ndarray:
        """Process one block of any length, carrying the state to the next call."""
        x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
        if x.size == 0:
            return np.zeros(0, np.float32)
        feeds = {"x": x[None, :], **self.state}
        y, *new = self.session.run(self.output_names, feeds)
        self.state = {name: s for (name, _, _), s in zip(self.states, new, strict=True)}
        return y.reshape(-1)


class OnnxEngine:
    """`open_engine("onnx", bundle, threads=1)`: onnxruntime on ``artifacts.onnx`` of the bundle."""

    name = "onnx"

    def __init__(self, bundle: Bundle, threads: int | None = None) -> None:
        info = bundle.manifest.get("artifacts", {}).get("onnx")
        if not info:
            raise BundleError(
                f"{bundle.path}: no ONNX model in this bundle; run `edgefx export {bundle.path} --format onnx`"
            )
        path = bundle.path / info["file"]
        if not path.is_file():
            raise BundleError(f"{path}: ONNX model recorded in the manifest is missing; export it again")
        try:
            self._session = OnnxSession(str(path), info["state"], threads)
        except (KeyError, TypeError) as exc:
            raise BundleError(f"{bundle.path}: artifacts.onnx in the manifest is malformed ({exc})") from None
        except Exception as exc:  # onnxruntime raises its own (pybind) exception types on a bad file
            raise BundleError(f"{path}: onnxruntime cannot load it ({str(exc).splitlines()[0]})") from None

    def reset(self) -> None:
        self._session.reset()

    def process(self, x: np.ndarray) -> np.ndarray:
        return self._session.process(x)
