"""The TFLite (LiteRT) engine: the bundle's .tflite graphs run block by block with their state.

Each .tflite file (written by `edgefx export --format tflite`) holds two signatures over the
same weights: ``block`` for a fixed block of T samples (the primary subgraph) and ``step`` for
one sample. `process` takes any length: whole blocks through ``block``, the remainder sample by
sample through ``step``, the state carried across both and across calls.
"""

from __future__ import annotations

import numpy as np

from ..bundle import Bundle
from ..errors import BundleError, ConfigError


class TFLiteSession:
    """A LiteRT interpreter over an edgefx .tflite file plus the state it carries."""

    def __init__(
        self, model: bytes | str, states: list[dict], block: int, threads: int | None = None, xnnpack: bool = True
    ) -> None:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        resolver = OpResolverType.AUTO if xnnpack else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        kwargs = {"model_path": model} if isinstance(model, str) else {"model_content": bytes(model)}
        self.interpreter = Interpreter(**kwargs, num_threads=threads, experimental_op_resolver_type=resolver)
        self.interpreter.allocate_tensors()
        self.block = int(block)
        self.states = [(s["name"], s["output"], tuple(int(d) for d in s["shape"])) for s in states]
        # One runner per signature; they copy outputs, so holding the state between calls is safe.
        self._block = self.interpreter.get_signature_runner("block")
        self._step = self.interpreter.get_signature_runner("step")
        expected = {"x"} | {n for n, _, _ in self.states}
        for key, runner in (("block", self._block), ("step", self._step)):
            missing = expected - set(runner.get_input_details())
            if missing:
                raise BundleError(f"TFLite signature {key!r} lacks the inputs {sorted(missing)} its manifest names")
        self.reset()

    def reset(self) -> None:
        """Back to rest: every state tensor zero."""
        self.state = [np.zeros(shape, np.float32) for _, _, shape in self.states]

    def process(self, x: np.ndarray) -> np.ndarray:
        """Process one block of any length, carrying the state to the next call."""
        x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
        out = np.empty_like(x)
        T = self.block
        n_full = len(x) - len(x) % T
        # Whole blocks through the block graph, then the remainder sample by sample.
        spans = [(s, T, self._block) for s in range(0, n_full, T)] + [(s, 1, self._step) for s in range(n_full, len(x))]
        for start, size, runner in spans:
            feeds = {name: s for (name, _, _), s in zip(self.states, self.state, strict=True)}
            res = runner(x=x[None, start : start + size], **feeds)
            out[start : start + size] = res["y"].reshape(-1)
            self.state = [res[o] for _, o, _ in self.states]
        return out


class TFLiteEngine:
    """`open_engine("tflite", bundle, variant="f32", threads=1)`: LiteRT on ``artifacts.tflite``."""

    name = "tflite"

    def __init__(self, bundle: Bundle, variant: str = "f32", threads: int | None = None, xnnpack: bool = True) -> None:
        info = bundle.manifest.get("artifacts", {}).get("tflite")
        if not info:
            raise BundleError(
                f"{bundle.path}: no TFLite model in this bundle; run `edgefx export {bundle.path} --format tflite`"
            )
        variants = info.get("variants", {})
        usable = [v for v, d in variants.items() if d.get("file")]
        if variant not in usable:
            why = variants.get(variant, {}).get("not_possible")
            raise ConfigError(
                f"TFLite variant {variant!r} is not in this bundle"
                + (f" ({why})" if why else "")
                + f"; available: {', '.join(usable) or 'none'}"
            )
        path = bundle.path / variants[variant]["file"]
        if not path.is_file():
            raise BundleError(f"{path}: TFLite model recorded in the manifest is missing; export it again")
        self.variant = variant
        try:
            self._session = TFLiteSession(str(path), info["state"], int(info["block"]), threads, xnnpack)
        except (KeyError, TypeError) as exc:
            raise BundleError(f"{bundle.path}: artifacts.tflite in the manifest is malformed ({exc})") from None
        except (ValueError, RuntimeError) as exc:  # the interpreter refusing the file
            raise BundleError(f"{path}: the LiteRT interpreter cannot load it ({str(exc).splitlines()[0]})") from None

    def reset(self) -> None:
        self._session.reset()

    def process(self, x: np.ndarray) -> np.ndarray:
        return self._session.process(x)
