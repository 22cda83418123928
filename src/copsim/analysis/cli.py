"""Command-line tools of the analysis layer.

    copsim-plot DIR                         figures (PNG + SVG) into DIR/figures/
    copsim-report DIR                       DIR/report.html, self-contained, figures embedded
    copsim-discover DIR --target "t50_years < 4"
                                            PRIM boxes where the target is reliably met
    copsim-discover --run lever_space --out DIR
                                            run the Latin-hypercube sample of the packaged design
                                            (or of a YAML file) first, then discover

A missing or corrupt file prints one line naming it and exits with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .spec_file import spec_path
from .sweep import SweepError, load


def _fail(tool: str, message: str) -> None:
    print(f"{tool}: error: {message}", file=sys.stderr)
    sys.exit(2)


def plot(argv: list[str] | None = None) -> None:
    """``copsim-plot DIR [--out FIGDIR] [--no-network]``: every figure that fits the sweep."""
    parser = argparse.ArgumentParser(prog="copsim-plot", description="Draw the figures of a sweep directory.")
    parser.add_argument("directory", help="sweep directory (runs.parquet, timeseries.parquet, ...)")
    parser.add_argument("--out", help="figure directory (default DIR/figures)")
    parser.add_argument("--no-network", action="store_true", help="skip the network picture (runs a model)")
    args = parser.parse_args(argv)
    from .figures import plot_sweep

    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        sweep = load(args.directory)
        written = plot_sweep(sweep, Path(args.out) if args.out else None, network=not args.no_network)
    except SweepError as exc:
        _fail("copsim-plot", str(exc))
    for path in written:
        print(f"copsim-plot: wrote {path} (+ .svg)")


def report(argv: list[str] | None = None) -> None:
    """``copsim-report DIR [--out FILE] [--sensitivity JSON] [--discovery JSON]``."""
    parser = argparse.ArgumentParser(prog="copsim-report", description="Write a self-contained HTML report.")
    parser.add_argument("directory", help="sweep directory")
    parser.add_argument("--out", help="HTML file (default DIR/report.html)")
    parser.add_argument("--sensitivity", help="sensitivity.json to include (default DIR/sensitivity/)")
    parser.add_argument("--discovery", help="discovery.json to include (default DIR/discovery/)")
    parser.add_argument("--no-network", action="store_true", help="skip the network picture")
    args = parser.parse_args(argv)
    from . import figures
    from .report import write_report

    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        sweep = load(args.directory, need=("runs.parquet", "conditions.parquet"))
        if args.no_network:
            figures.plot_sweep(sweep, network=False)
        path = write_report(
            sweep,
            Path(args.out) if args.out else None,
            figures=not args.no_network,
            sensitivity=Path(args.sensitivity) if args.sensitivity else None,
            discovery=Path(args.discovery) if args.discovery else None,
        )
    except SweepError as exc:
        _fail("copsim-report", str(exc))
    print(f"copsim-report: wrote {path}")


def discover(argv: list[str] | None = None) -> None:
    """``copsim-discover DIR --target "t50_years < 4"`` (or ``--run SPEC --out DIR`` first)."""
    parser = argparse.ArgumentParser(
        prog="copsim-discover", description="Scenario discovery (PRIM): where is the target reliably met?"
    )
    parser.add_argument("directory", nargs="?", help="sweep directory with an LHS sample (runs.parquet)")
    parser.add_argument("--target", default="t50_years < 4", help='e.g. "t50_years < 4" (default)')
    parser.add_argument(
        "--run", metavar="SPEC", help="run the LHS sample of this YAML (or the packaged lever_space) first"
    )
    parser.add_argument("--out", help="with --run: the directory to write the sample into")
    parser.add_argument("--samples", type=int, help="with --run: override the number of samples")
    parser.add_argument("--workers", type=int, default=1, help="with --run: worker processes (default 1)")
    parser.add_argument("--threshold", type=float, default=0.8, help="minimum box density (default 0.8)")
    parser.add_argument("--inputs", help="comma-separated columns PRIM may restrict (default: all sampled)")
    args = parser.parse_args(argv)
    from ..model.config import ConfigError
    from . import discovery

    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        directory = args.directory
        if args.run:
            directory = args.out or directory
            if not directory:
                _fail("copsim-discover", "--run needs --out DIR (where to write the sample)")
            spec = discovery.read_spec(spec_path(args.run, discovery.DiscoveryError))
            discovery.run_lever_space(spec, Path(directory), samples=args.samples, workers=args.workers)
        if not directory:
            _fail("copsim-discover", "give a sweep directory, or --run SPEC --out DIR")
        sweep = load(directory)
        inputs = args.inputs.split(",") if args.inputs else None
        result = discovery.discover(sweep, args.target, threshold=args.threshold, inputs=inputs)
        written = discovery.write_result(result, Path(directory) / "discovery", sweep)
    except (SweepError, ConfigError, discovery.DiscoveryError) as exc:
        _fail("copsim-discover", str(exc))
    for sentence in result["sentences"]:
        print(sentence)
    print(f"copsim-discover: wrote {written}")
