"""Text helpers for the generator: exact float literals and constant arrays."""

from __future__ import annotations

import numpy as np

from ..errors import CodegenError


def c_float(value: float) -> str:
    """A float32 as a C literal that converts back to the same bits (``%.9g`` plus ``f``)."""
    v = float(np.float32(value))
    if not np.isfinite(v):
        raise CodegenError(f"cannot generate C for a non-finite weight ({v}); the model is broken")
    text = f"{v:.9g}"
    if not any(ch in text for ch in ".en"):
        text += ".0"
    return text + "f"


def c_array(name: str, values: np.ndarray, comment: str = "", per_line: int = 6) -> str:
    """``EDGEFX_WEIGHTS_SECTION static const float name[N] = {...};`` (float32 round-trip exact)."""
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    if flat.size == 0:
        raise CodegenError(f"internal error: empty weight array {name}")
    items = [c_float(v) for v in flat]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    head = f"/* {comment} */\n" if comment else ""
    body = ",\n    ".join(lines)
    return f"{head}EDGEFX_WEIGHTS_SECTION static const float {name}[{flat.size}] = {{\n    {body}\n}};\n"


def banner(title: str, lines: list[str]) -> str:
    """A C block comment: the title line, then the given lines."""
    out = ["/*", f" * {title}"]
    out += [f" * {line}".rstrip() for line in lines]
    out.append(" */")
    return "\n".join(out) + "\n"


WEIGHTS_SECTION_BLOCK = """\
/*
 * Placement of the constant weights. By default they are plain `static const` data, which a
 * Cortex-M linker puts in flash (.rodata). A board can define EDGEFX_WEIGHTS_SECTION before
 * compiling this file (e.g. -DEDGEFX_WEIGHTS_SECTION='__attribute__((section(".dtcm_rodata")))')
 * to place them elsewhere:
 *   flash  (default)  no copy, read through the flash accelerator / cache;
 *   DTCM              fastest on Cortex-M7 (0 wait states), startup code must copy the section;
 *   SDRAM             for large models, behind the D-cache.
 */
#ifndef EDGEFX_WEIGHTS_SECTION
#define EDGEFX_WEIGHTS_SECTION
#endif
"""
