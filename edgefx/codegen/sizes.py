"""Flash size of a generated model, from a Cortex-M7 build of its objects."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..errors import CodegenError
from ..toolchains import get_toolchain


def cortex_m7_sizes(c_dir: str | Path, sources: list[str]) -> dict[str, Any]:
    """Compile each source for Cortex-M7 (-O2) and sum text + data: the model's flash bytes.

    Returns ``{"flash_bytes", "text", "data", "bss", "objects", "toolchain", "flags"}``, or
    ``{"flash_bytes": None, "note": why}`` when arm-none-eabi-gcc is not installed.
    """
    tc = get_toolchain("cortex-m7")
    if not tc.available():
        return {"flash_bytes": None, "note": f"{tc.cc} not found: flash size not measured"}
    c_dir = Path(c_dir)
    objects: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="edgefx-m7-") as tmp:
        for i, src in enumerate(sources):
            obj = Path(tmp) / f"{i}.o"
            tc.compile([c_dir / src], obj, cwd=c_dir, object_only=True, extra_flags=("-ffunction-sections",
                                                                                     "-fdata-sections"))
            objects[src] = tc.object_sizes(obj)
    total = {k: sum(o[k] for o in objects.values()) for k in ("text", "data", "bss")}
    if total["text"] <= 0:
        raise CodegenError(f"{c_dir}: the Cortex-M7 build is empty")
    return {
        "flash_bytes": total["text"] + total["data"],
        **total,
        "objects": objects,
        "toolchain": tc.version(),
        "flags": list(tc.flags),
    }
