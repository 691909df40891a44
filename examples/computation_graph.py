"""
A picture of the generated code's computation
=============================================

The lectures draw expressions as graphs: a node per operation, an edge
from each value to the operations that read it, and the backward pass as a
second graph running the other way. This example draws that picture for
the code s2sad generates, with nothing but the standard library's ``ast``
and matplotlib (no Graphviz): it parses the source ``s2sad.show`` returns,
makes a node per operation, places each node one column right of the
latest value it reads, and colors the forward pass blue and the backward
pass red.
"""

import ast

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def f(x, y):
    z = x * y
    return np.sin(z) + z * np.exp(-x)


class Dataflow:
    """Nodes (label, pass) and edges (from, to) of generated code: one node
    per operation, so `out = np.sin(z) + z * t` is three nodes."""

    def __init__(self, source):
        func = ast.parse(source).body[0]
        lines = source.splitlines()
        self.backward_from = next(i for i, s in enumerate(lines) if "# backward pass" in s) + 1
        self.nodes, self.edges, self.current = {}, [], {}
        for a in func.args.args:
            self.current[a.arg] = self.add(a.arg, "input")
        for stmt in func.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                phase = "backward" if stmt.lineno > self.backward_from else "forward"
                node = self.expression(stmt.value, phase)
                if node is not None:
                    label, _ = self.nodes[node]
                    self.nodes[node] = (f"{stmt.targets[0].id} = {label}", phase)
                    self.current[stmt.targets[0].id] = node

    def add(self, label, phase, inputs=()):
        node = len(self.nodes)
        self.nodes[node] = (label, phase)
        self.edges += [(i, node) for i in inputs if i is not None]
        return node

    def expression(self, expr, phase):
        """The node computing expr (None for a constant)."""
        if isinstance(expr, ast.Name):
            return self.current.get(expr.id)
        if isinstance(expr, ast.Constant):
            return None
        if isinstance(expr, ast.Call):
            label, operands = ast.unparse(expr.func), expr.args
        elif isinstance(expr, ast.BinOp):
            label = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
                     ast.Pow: "**", ast.MatMult: "@"}.get(type(expr.op), "op")
            operands = [expr.left, expr.right]
        elif isinstance(expr, ast.UnaryOp):
            label, operands = "neg", [expr.operand]
        else:
            label, operands = ast.unparse(expr)[:12], []
        inputs = [self.expression(e, phase) for e in operands]
        return self.add(label, phase, dict.fromkeys(inputs))


def layout(nodes, edges):
    """Column = 1 + the latest column among the node's inputs; the inputs and
    the forward pass above the middle line, the backward pass below it."""
    column, rows = {}, {}
    for name, (_, phase) in nodes.items():  # (in program order: inputs first)
        parents = [a for a, b in edges if b == name]
        column[name] = 1 + max((column[p] for p in parents), default=-1)
        rows.setdefault((column[name], phase == "backward"), []).append(name)
    position = {}
    for (col, below), names in rows.items():
        for k, name in enumerate(names):
            position[name] = (col, -1.0 - k if below else 0.5 + k)
    return position


source = s2sad.show(f, wrt=("x", "y"))
print(source)
graph = Dataflow(source)
nodes, edges = graph.nodes, graph.edges
position = layout(nodes, edges)
phases = [phase for _, phase in nodes.values()]
print(f"{len(nodes)} nodes ({phases.count('forward')} forward, "
      f"{phases.count('backward')} backward), {len(edges)} edges")
assert phases.count("forward") >= 6 and phases.count("backward") >= 10
assert all(position[a][0] < position[b][0] for a, b in edges)  # edges run left to right

s2sad.check_grad(f, 0.7, -1.3, wrt=("x", "y"))
print("and the code it draws is right: its gradient matches finite differences")

# %%
colors = {"input": "#7fbf7f", "forward": "#8fb3e0", "backward": "#e89a8f"}
fig, ax = plt.subplots(figsize=(13, 6))
for a, b in edges:
    (x0, y0), (x1, y1) = position[a], position[b]
    ax.annotate("", xy=(x1 - 0.18, y1), xytext=(x0 + 0.18, y0),
                arrowprops=dict(arrowstyle="->", color="gray", lw=0.8))
for name, (label, phase) in nodes.items():
    x, y = position[name]
    ax.text(x, y, label.replace(" = ", "\n"), ha="center", va="center", fontsize=8,
            bbox=dict(boxstyle="round", fc=colors[phase], ec="k", lw=0.5))
for phase, color in colors.items():
    ax.plot([], [], "s", color=color, ms=10, label=phase)
ax.axhline(-0.25, color="k", lw=0.5, ls=":")
ax.legend(loc="upper right")
ax.set_xlim(-0.6, max(x for x, _ in position.values()) + 0.6)
ax.set_ylim(min(y for _, y in position.values()) - 0.8, max(y for _, y in position.values()) + 0.8)
ax.set_title("dataflow of the gradient s2sad generates for f(x, y) = sin(xy) + xy·exp(-x)")
ax.axis("off")
plt.show()
