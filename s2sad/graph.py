"""A picture of generated code: its dataflow graph, as DOT text or, where
Graphviz is installed, an image.

    s2sad show examples/quickstart.py:f --graph grad.svg

One node per operation of the code `s2sad.show` prints (so
`out = np.sin(z) + z` is two nodes, `np.sin` and `+`), an edge from each
value to the operations that read it, the inputs, the forward pass and the
backward pass in different colors, and loops as boxes around their bodies.
The graph is read from the generated source with `ast`, not from the
compiler's internals, so it shows exactly the code you can read.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

COLORS = {"input": "#a8d8a8", "forward": "#a9c6ec", "backward": "#f2b3a8", "output": "#e0e0e0"}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
              ast.MatMult: "@", ast.FloorDiv: "//", ast.Mod: "%"}


@dataclass
class Node:
    """One operation (or input, or returned value) of the generated code."""

    label: str
    phase: str  # "input", "forward", "backward" or "output"
    loop: int | None = None  # the innermost loop around it (an index into loops)


@dataclass
class Dataflow:
    """Nodes, edges (from, to) and loops (label, enclosing loop) of generated code."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    loops: list[tuple[str, int | None]] = field(default_factory=list)


def dataflow(source: str) -> Dataflow:
    """The dataflow graph of generated source (one or more functions)."""
    reader = _Reader(source)
    for func in ast.parse(source).body:
        if isinstance(func, ast.FunctionDef):
            reader.function(func)
    return reader.flow


class _Reader:
    """Walks generated functions in program order, keeping the node that
    last wrote each name."""

    def __init__(self, source: str) -> None:
        self.flow = Dataflow()
        self.markers = [i + 1 for i, line in enumerate(source.splitlines())
                        if line.strip() == "# backward pass"]
        self.current: dict[str, int] = {}
        self.loop: int | None = None
        self.backward_from = 0

    def function(self, func: ast.FunctionDef) -> None:
        inside = [m for m in self.markers if func.lineno < m <= (func.end_lineno or m)]
        self.backward_from = func.lineno if func.name.endswith("_backward") else \
            inside[0] if inside else (func.end_lineno or func.lineno) + 1
        params = func.args.posonlyargs + func.args.args + func.args.kwonlyargs
        for arg in params:
            if arg.arg not in self.current:  # (a backward half's `state` after the forward's)
                self.current[arg.arg] = self.add(arg.arg, "input")
        self.block(func.body)

    def phase(self, stmt: ast.stmt) -> str:
        return "backward" if stmt.lineno > self.backward_from else "forward"

    def add(self, label: str, phase: str, inputs: tuple = ()) -> int:
        self.flow.nodes.append(Node(label, phase, self.loop))
        node = len(self.flow.nodes) - 1
        self.flow.edges += [(i, node) for i in dict.fromkeys(inputs) if i is not None]
        return node

    def block(self, stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.Assign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            value = stmt.value if isinstance(stmt, ast.Assign) else \
                ast.BinOp(stmt.target, stmt.op, stmt.value)
            self.assign(targets, value, self.phase(stmt))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            node = self.expression(stmt.value, self.phase(stmt))
            owner = stmt.value.func
            if node is not None and isinstance(owner, ast.Attribute) and \
                    isinstance(owner.value, ast.Name):  # `tape.append(y)` changes `tape`
                self.current[owner.value.id] = node
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            self.add("return", "output", tuple(self.reads(stmt.value)))
        elif isinstance(stmt, (ast.For, ast.While)):
            self.loop_of(stmt)
        elif isinstance(stmt, ast.If):
            self.block(stmt.body)
            self.block(stmt.orelse)

    def loop_of(self, stmt: ast.For | ast.While) -> None:
        header = f"for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}" \
            if isinstance(stmt, ast.For) else f"while {ast.unparse(stmt.test)}"
        self.flow.loops.append((header, self.loop))
        outer, self.loop = self.loop, len(self.flow.loops) - 1
        if isinstance(stmt, ast.For):
            self.assign([stmt.target], stmt.iter, self.phase(stmt))
        self.block(stmt.body)
        self.loop = outer
        self.block(stmt.orelse)

    def assign(self, targets: list[ast.expr], value: ast.expr, phase: str) -> None:
        node = self.expression(value, phase)
        if node is None:  # a constant: a node of its own, so the name exists
            node = self.add(ast.unparse(value)[:16], phase)
        names = [n.id for t in targets for n in ast.walk(t)
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        label = self.flow.nodes[node].label
        if names and self.flow.nodes[node].phase != "input":
            self.flow.nodes[node].label = f"{', '.join(names)} = {label}"
        for name in names:
            self.current[name] = node
        for target in targets:  # `a[i] = v` writes into a
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                written = self.add(f"{target.value.id}[...] = ", phase,
                                   (node, *self.reads(target)))
                self.current[target.value.id] = written

    def expression(self, expr: ast.expr, phase: str) -> int | None:
        """The node computing expr: None for a constant, the writer for a name."""
        if isinstance(expr, ast.Name):
            return self.current.get(expr.id)
        if isinstance(expr, ast.Constant):
            return None
        if isinstance(expr, ast.Call):
            label, operands = ast.unparse(expr.func), [*expr.args,
                                                       *(k.value for k in expr.keywords)]
            if isinstance(expr.func, ast.Attribute) and self.is_value(expr.func.value):
                # a method (`tape.pop()`, not `np.sin`) reads its object
                operands.insert(0, expr.func.value)
                label = f".{expr.func.attr}"
        elif isinstance(expr, ast.BinOp):
            label, operands = _OPERATORS.get(type(expr.op), type(expr.op).__name__), \
                [expr.left, expr.right]
        elif isinstance(expr, ast.UnaryOp):
            label, operands = "-" if isinstance(expr.op, ast.USub) else \
                type(expr.op).__name__.lower(), [expr.operand]
        elif isinstance(expr, ast.Compare):
            label, operands = "compare", [expr.left, *expr.comparators]
        else:  # subscripts, tuples, attributes...: one node reading every name inside
            return self.add(ast.unparse(expr)[:20], phase, tuple(self.reads(expr)))
        inputs = tuple(self.expression(e, phase) for e in operands)
        return self.add(label, phase, inputs)

    def is_value(self, expr: ast.expr) -> bool:
        """Does expr name a value of the code (not a module, like `np.linalg`)?"""
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        return not isinstance(expr, ast.Name) or expr.id in self.current

    def reads(self, expr: ast.expr) -> list[int]:
        return [self.current[n.id] for n in ast.walk(expr)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                and n.id in self.current]


def to_dot(flow: Dataflow, title: str = "") -> str:
    """Graphviz DOT text of the graph: left to right, loops as clusters."""
    lines = ["digraph s2sad {", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10];',
             '  edge [color="#777777"];']
    if title:
        lines.append(f"  label={_quote(title)}; labelloc=t;")
    members: dict[int | None, list[int]] = {}
    for i, node in enumerate(flow.nodes):
        members.setdefault(node.loop, []).append(i)

    def emit(loop: int | None, indent: str) -> None:
        for i in members.get(loop, []):
            node = flow.nodes[i]
            lines.append(f"{indent}n{i} [label={_quote(node.label)}, "
                         f'fillcolor="{COLORS[node.phase]}"];')
        for k, (header, parent) in enumerate(flow.loops):
            if parent == loop:
                lines.append(f"{indent}subgraph cluster_{k} {{")
                lines.append(f"{indent}  label={_quote(header)}; style=dashed;")
                emit(k, indent + "  ")
                lines.append(f"{indent}}}")

    emit(None, "  ")
    lines += [f"  n{a} -> n{b};" for a, b in flow.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_graph(source: str, path: str | Path, title: str = "") -> Path:
    """Write the dataflow graph of `source` to `path`: DOT text for `.dot`
    and `.gv`; for another suffix (`.svg`, `.png`, `.pdf`), the image
    Graphviz's `dot` renders, or, where Graphviz is not installed, DOT text
    next to it (`out.svg` -> `out.dot`). Returns the file written."""
    path = Path(path)
    dot = to_dot(dataflow(source), title)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("dot", "gv", ""):
        path.write_text(dot)
        return path
    program = shutil.which("dot")
    if program is None:
        fallback = path.with_suffix(".dot")
        fallback.write_text(dot)
        return fallback
    subprocess.run([program, f"-T{suffix}", "-o", str(path)], input=dot, text=True,
                   check=True, capture_output=True)
    return path


__all__ = ["Dataflow", "Node", "dataflow", "to_dot", "write_graph"]
