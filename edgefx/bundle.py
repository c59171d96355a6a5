"""Model bundles: one folder per model, self-describing and verifiable.

    export/<name>/
        manifest.json        what the bundle is (schema below); hashes of every file
        model.safetensors    the weights (safetensors: no pickle anywhere)
        plots/*.png          target vs prediction, error spectrum, ...
        report.md            a short human summary
        ...                  later stages add c/, onnx/, tflite/ and record them under "artifacts"

Manifest schema (version 1). Readers accept any manifest with ``schema == "edgefx-bundle"`` and
``schema_version <= SCHEMA_VERSION`` and ignore keys they do not know; writers keep keys they do
not know. Later stages add their own top-level sections ("artifacts", "quantization",
"measurements", "antialias", ...) instead of changing existing ones, so old bundles stay valid.

    {
      "schema": "edgefx-bundle", "schema_version": 1,
      "name": str, "created": ISO-8601 UTC, "edgefx_version": str,
      "sample_rate": int,
      "model": {"config": {...build_model config...}, "arch": str, "params": int,
                "macs_per_sample": int, "receptive_field": int, "dtype": "float32"},
      "weights": "model.safetensors",
      "training": {...},            # data source and hashes, recipe, time, history
      "metrics": {"test": {...}},   # test-split figures
      "files": {relpath: {"sha256": hex, "bytes": int, "kind": str}},
    }
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .errors import BundleError, EdgefxError
from .hashing import sha256_array, sha256_file  # noqa: F401 - re-exported for bundle users
from .models import StreamingModel, build_model

SCHEMA = "edgefx-bundle"
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "model.safetensors"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; bundle files are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Bundle:
    """A model bundle on disk: its folder and its manifest."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = Path(path)
        self.manifest = manifest

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        model: StreamingModel,
        sample_rate: int,
        *,
        name: str | None = None,
        training: dict | None = None,
        metrics: dict | None = None,
        overwrite: bool = False,
    ) -> Bundle:
        """Write a new bundle holding ``model``'s weights and a manifest describing it."""
        path = Path(path)
        if path.exists() and any(path.iterdir()):
            if not overwrite:
                raise BundleError(f"{path}: already exists and is not empty (use --force to replace it)")
            if not (path / MANIFEST).exists():
                raise BundleError(f"{path}: refusing to replace a non-empty folder that is not a bundle")
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        manifest: dict[str, Any] = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "name": name or path.name,
            "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
            "edgefx_version": __version__,
            "sample_rate": int(sample_rate),
            "model": describe_model(model),
            "weights": WEIGHTS,
            "training": training or {},
            "metrics": metrics or {},
            "files": {},
        }
        bundle = cls(path, manifest)
        bundle.save_weights(model)
        return bundle

    def save_weights(self, model: StreamingModel) -> None:
        """(Re)write the weights file and the model section from ``model``."""
        from safetensors.torch import save as st_save

        tensors = {k: v.detach().to(torch.float32).contiguous().cpu() for k, v in model.state_dict().items()}
        data = st_save(tensors, metadata={"format": "pt", "edgefx_config": json.dumps(model.config())})
        self.manifest["model"] = describe_model(model)
        self.add_file(WEIGHTS, data, kind="weights")

    # --- loading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path, *, verify: bool = True) -> Bundle:
        """Open a bundle; with ``verify`` every recorded file must exist and match its hash."""
        path = Path(path)
        mpath = path / MANIFEST
        if not path.exists():
            raise BundleError(f"{path}: no such bundle")
        if not mpath.is_file():
            raise BundleError(f"{path}: not a model bundle (no {MANIFEST})")
        try:
            manifest = json.loads(mpath.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BundleError(f"{mpath}: manifest is not valid JSON ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
            raise BundleError(f"{mpath}: not an edgefx bundle manifest (schema is not {SCHEMA!r})")
        version = manifest.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise BundleError(
                f"{mpath}: schema_version {version!r} is newer than this edgefx understands "
                f"({SCHEMA_VERSION}); upgrade edgefx"
            )
        for key in ("sample_rate", "model", "files"):
            if key not in manifest:
                raise BundleError(f"{mpath}: manifest lacks {key!r}")
        bundle = cls(path, manifest)
        if verify:
            bundle.verify()
        return bundle

    def verify(self) -> None:
        """Raise `BundleError` naming every recorded file that is missing or altered."""
        problems = []
        files = self.manifest.get("files", {})
        if self.manifest.get("weights", WEIGHTS) not in files:
            problems.append(f"{self.manifest.get('weights', WEIGHTS)} is not recorded in the manifest")
        for rel, info in files.items():
            f = self.path / rel
            if not f.is_file():
                problems.append(f"{rel} is missing")
            elif sha256_file(f) != info.get("sha256"):
                problems.append(f"{rel} does not match its recorded sha256 (changed or corrupted)")
        if problems:
            raise BundleError(f"{self.path}: bundle does not match its manifest: " + "; ".join(problems))

    def load_model(self, dtype: torch.dtype = torch.float32) -> StreamingModel:
        """Rebuild the model from the manifest and load its weights (safetensors, no pickle)."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            model = build_model(self.manifest["model"]["config"])
        except (KeyError, TypeError) as exc:
            raise BundleError(f"{self.path / MANIFEST}: model config is malformed ({exc})") from None
        except EdgefxError as exc:
            raise BundleError(f"{self.path / MANIFEST}: {exc}") from None
        wpath = self.path / self.manifest.get("weights", WEIGHTS)
        try:
            state = load_file(str(wpath))
        except (SafetensorError, OSError, ValueError) as exc:
            raise BundleError(f"{wpath}: unreadable weights ({exc})") from None
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            first = str(exc).splitlines()[0]
            raise BundleError(f"{wpath}: weights do not fit the manifest's model ({first})") from None
        return model.to(dtype).eval()

    # --- editing ------------------------------------------------------------------------------
    def add_file(self, relpath: str, data: bytes | str | Path | None = None, *, kind: str = "") -> Path:
        """Record a bundle file (writing ``data`` first if given: bytes, text, or a file to copy)."""
        dest = self.path / relpath
        if isinstance(data, bytes):
            _atomic_write(dest, data)
        elif isinstance(data, str):
            _atomic_write(dest, data.encode())
        elif isinstance(data, Path):
            _atomic_write(dest, data.read_bytes())
        if not dest.is_file():
            raise BundleError(f"{dest}: cannot record a file that does not exist")
        self.manifest["files"][relpath] = {"sha256": sha256_file(dest), "bytes": dest.stat().st_size, "kind": kind}
        self.save()
        return dest

    def remove_files(self, prefix: str) -> None:
        """Forget (and delete) the recorded files under ``prefix`` (e.g. before regenerating c/)."""
        for rel in [r for r in self.manifest["files"] if r.startswith(prefix)]:
            (self.path / rel).unlink(missing_ok=True)
            del self.manifest["files"][rel]
        self.save()

    def update(self, section: str, value: dict[str, Any]) -> None:
        """Merge ``value`` into a top-level manifest section (created if absent) and save."""
        current = self.manifest.get(section)
        if isinstance(current, dict):
            current.update(value)
        else:
            self.manifest[section] = dict(value)
        self.save()

    def save(self) -> None:
        _atomic_write(self.path / MANIFEST, (json.dumps(self.manifest, indent=2) + "\n").encode())

    # --- convenience --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.manifest.get("name", self.path.name))

    @property
    def sample_rate(self) -> int:
        return int(self.manifest["sample_rate"])

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.manifest["model"]["config"])

    @property
    def arch(self) -> str:
        return str(self.manifest["model"]["config"]["arch"])


def describe_model(model: StreamingModel) -> dict[str, Any]:
    return {
        "arch": model.arch,
        "config": model.config(),
        "params": model.num_params,
        "macs_per_sample": model.macs_per_sample(),
        "receptive_field": model.receptive_field,
        "dtype": "float32",
    }
