"""
A picture of the generated code's computation
=============================================

The lectures draw expressions as graphs: a node per operation, an edge
from each value to the operations that read it, and the backward pass as a
second graph running the other way. This example draws that picture for
the code s2sad generates with matplotlib (no Graphviz needed):
``s2sad.graph.dataflow`` reads the source ``s2sad.show`` returns into a node
per operation and an edge per value read (the graph that
``s2sad show FILE.py:f --graph out.svg`` writes for Graphviz), and the
script places each node one column right of the latest value it reads, the
forward pass above the backward pass.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad
from s2sad.graph import COLORS, dataflow


def f(x, y):
    z = x * y
    return np.sin(z) + z * np.exp(-x)


def layout(nodes, edges):
    """Column = 1 + the latest column among the node's inputs; the inputs and
    the forward pass above the middle line, the backward pass below it."""
    column, rows = {}, {}
    for name, node in enumerate(nodes):  # (in program order: inputs first)
        parents = [a for a, b in edges if b == name]
        column[name] = 1 + max((column[p] for p in parents), default=-1)
        rows.setdefault((column[name], node.phase in ("backward", "output")), []).append(name)
    position = {}
    for (col, below), names in rows.items():
        for k, name in enumerate(names):
            position[name] = (col, -1.0 - k if below else 0.5 + k)
    return position


source = s2sad.show(f, wrt=("x", "y"))
print(source)
graph = dataflow(source)
nodes, edges = graph.nodes, graph.edges
position = layout(nodes, edges)
phases = [node.phase for node in nodes]
print(f"{len(nodes)} nodes ({phases.count('forward')} forward, "
      f"{phases.count('backward')} backward), {len(edges)} edges")
assert phases.count("forward") >= 6 and phases.count("backward") >= 10
assert all(position[a][0] < position[b][0] for a, b in edges)  # edges run left to right

s2sad.check_grad(f, 0.7, -1.3, wrt=("x", "y"))
print("and the code it draws is right: its gradient matches finite differences")

# %%
fig, ax = plt.subplots(figsize=(13, 6))
for a, b in edges:
    (x0, y0), (x1, y1) = position[a], position[b]
    ax.annotate("", xy=(x1 - 0.18, y1), xytext=(x0 + 0.18, y0),
                arrowprops=dict(arrowstyle="->", color="gray", lw=0.8))
for name, node in enumerate(nodes):
    x, y = position[name]
    ax.text(x, y, node.label.replace(" = ", "\n"), ha="center", va="center", fontsize=8,
            bbox=dict(boxstyle="round", fc=COLORS[node.phase], ec="k", lw=0.5))
for phase, color in COLORS.items():
    ax.plot([], [], "s", color=color, ms=10, label=phase)
ax.axhline(-0.25, color="k", lw=0.5, ls=":")
ax.legend(loc="upper right")
ax.set_xlim(-0.6, max(x for x, _ in position.values()) + 0.6)
ax.set_ylim(min(y for _, y in position.values()) - 0.8, max(y for _, y in position.values()) + 0.8)
ax.set_title("dataflow of the gradient s2sad generates for f(x, y) = sin(xy) + xy·exp(-x)")
ax.axis("off")
plt.show()
