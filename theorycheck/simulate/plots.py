"""Figures for a :class:`Measurement` (matplotlib, Agg backend), written under an output dir."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theorycheck.simulate.result import Measurement


def save_plots(m: Measurement, out: Path) -> list[Path]:
    """Write the kind's figures as PNG files under ``out``; return their paths."""
    import matplotlib  # lazy: matplotlib (only a command that draws pays for it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: matplotlib (after choosing the Agg backend)

    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []

    def save(fig: object, name: str) -> None:
        p = out / f"{m.kind}_{name}.png"
        fig.savefig(p, dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
        plt.close(fig)  # type: ignore[arg-type]
        paths.append(p)

    e = m.extra
    if m.kind in ("variance", "correlation"):
        lay = e["layers"]
        ls = np.arange(1, len(lay["theory"]) + 1)
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(ls, lay["theory"], "k-", label="map (infinite width)")
        ax.errorbar(ls, lay["measured"], yerr=lay["tolerance"], fmt="o", ms=3,
                    label="measured ± tolerance")
        ax.set_xlabel("layer l")
        ax.set_ylabel("q^l" if m.kind == "variance" else "c^l")
        ax.legend()
        save(fig, "layers")
    elif m.kind == "jacobian" and "spectrum_histogram" in e:
        h = e["spectrum_histogram"]
        fig, ax = plt.subplots(figsize=(5, 3.5))
        edges = np.asarray(h["log10_edges"])
        ax.stairs(np.asarray(h["counts"]), edges)
        ax.set_xlabel("log10 eigenvalue of J^T J")
        ax.set_ylabel("count")
        ax.set_title(f"m1={e['m1']['measured']:.4g} (th {e['m1']['theory']:.4g}), "
                     f"m2={e['m2']['measured']:.4g} (th {e['m2']['theory']:.4g})", fontsize=8)
        save(fig, "spectrum")
    elif m.kind == "input-correlation":
        fig, ax = plt.subplots(figsize=(5, 3.5))
        for lay in e["layers"]:
            h = lay["histogram"]
            ax.stairs(h["counts"], h["edges"], label=f"actual, layer {lay['layer']}")
        ph = e["layer1_formulas"]["printed_eq31_histogram"]
        ax.stairs(ph["counts"], ph["edges"], label="printed Eq. (31), layer 1", ls="--")
        ax.axvline(-1, color="grey", lw=0.5)
        ax.axvline(1, color="grey", lw=0.5)
        ax.set_xlabel("C_ij^(0,l)")
        ax.legend(fontsize=7)
        save(fig, "distribution")
    elif m.kind == "mi":
        sw = sorted({p["sw2"] for p in e["grid"]})
        sb = sorted({p["sb2"] for p in e["grid"]})
        img = np.full((len(sb), len(sw)), np.nan)
        for p in e["grid"]:
            if p.get("value") is not None:
                img[sb.index(p["sb2"]), sw.index(p["sw2"])] = p["value"]
        fig, ax = plt.subplots(figsize=(5, 3.5))
        im = ax.imshow(img, origin="lower", aspect="auto",
                       extent=(sw[0], sw[-1], sb[0], sb[-1]) if len(sw) > 1 and len(sb) > 1
                       else None)
        fig.colorbar(im, label="I_N (nats); blank = singular/undefined")
        ax.set_xlabel("sw2")
        ax.set_ylabel("sb2")
        save(fig, "grid")
    elif m.kind == "kurtosis":
        pts = e["points"]
        fig, ax = plt.subplots(figsize=(5, 3.5))
        r = np.array([p["r"] for p in pts])
        ax.errorbar(r, [p["measured"] for p in pts], yerr=[p["stderr"] for p in pts], fmt="o",
                    label="measured")
        ax.plot(r, [p["theory"] for p in pts], "kx", label="1/n theory")
        xs = np.linspace(0, r.max(), 50)
        ax.plot(xs, m.measured * xs, "-", label=f"fit slope {m.measured:.3g}")
        ax.set_xlabel("L/n")
        ax.set_ylabel("excess kurtosis")
        ax.legend()
        save(fig, "slope")
    return paths
