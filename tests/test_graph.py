"""The dataflow picture of generated code (`s2sad show ... --graph FILE`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import s2sad
from s2sad import cli, graph

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "how_it_works.py"


def f(x, y):
    z = x * y
    return np.sin(z) + z


def power(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x
    return y


def _labels(flow: graph.Dataflow) -> list[str]:
    return [node.label for node in flow.nodes]


def test_one_node_per_operation_and_phases():
    flow = graph.dataflow(s2sad.show(f))
    labels = _labels(flow)
    assert labels[:3] == ["x", "y", "dout"]
    assert "z = *" in labels and "np.sin" in labels and "out = +" in labels
    assert "np.cos" in labels and labels[-1] == "return"
    phases = {node.label: node.phase for node in flow.nodes}
    assert phases["np.sin"] == "forward" and phases["np.cos"] == "backward"
    assert phases["x"] == "input" and phases["return"] == "output"
    by_label = {label: i for i, label in enumerate(labels)}
    # z = x * y reads both inputs; np.sin reads z
    assert (by_label["x"], by_label["z = *"]) in flow.edges
    assert (by_label["y"], by_label["z = *"]) in flow.edges
    assert (by_label["z = *"], by_label["np.sin"]) in flow.edges
    assert all(a < b for a, b in flow.edges)  # program order: edges go forward


def test_loops_become_clusters():
    flow = graph.dataflow(s2sad.show(power))
    headers = [header for header, _ in flow.loops]
    assert headers == ["for _ in range(n)", "for _ in reversed(range(n))"]
    in_loops = {node.label for node in flow.nodes if node.loop is not None}
    assert ".append" in in_loops and ".pop" in " ".join(in_loops)
    dot = graph.to_dot(flow, "power")
    assert dot.startswith("digraph s2sad {") and dot.rstrip().endswith("}")
    assert dot.count("subgraph cluster_") == 2 and 'label="for _ in range(n)"' in dot


def test_every_mode_draws():
    for mode in ("grad", "jvp", "vjp", "hessian"):
        flow = graph.dataflow(s2sad.show(f, mode=mode))
        assert len(flow.nodes) > 5 and flow.edges, mode


def test_quotes_are_escaped():
    assert graph._quote('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


def test_cli_writes_dot(tmp_path: Path, capsys: pytest.CaptureFixture):
    out = tmp_path / "f.dot"
    assert cli.main(["show", f"{EXAMPLE}:f", "--graph", str(out), "--color", "never"]) == 0
    assert out.read_text().startswith("digraph s2sad {")
    captured = capsys.readouterr()
    assert captured.out.startswith("def df(")  # the source is printed as before
    assert f"wrote the dataflow graph to {out}" in captured.err


def test_cli_image_without_graphviz_falls_back_to_dot(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    out = tmp_path / "f.svg"
    assert cli.main(["show", f"{EXAMPLE}:power", "--graph", str(out)]) == 0
    assert not out.exists() and (tmp_path / "f.dot").read_text().startswith("digraph")
    assert "Graphviz's dot is not installed" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_cli_svg_with_graphviz(tmp_path: Path):
    out = tmp_path / "f.svg"
    assert cli.main(["show", f"{EXAMPLE}:f", "--graph", str(out), "--mode", "vjp"]) == 0
    assert "<svg" in out.read_text()
