"""Render docs/how-it-works.md (and the README's `s2sad show` excerpt) from live output.

    python scripts/gen_how_it_works.py          # rewrite the files
    python scripts/gen_how_it_works.py --check  # exit 1 if they are stale

Every code block in the document is produced here by running the compiler on
examples/how_it_works.py, so the page cannot drift from what s2sad generates;
tests/test_docs.py fails when the committed files differ from a fresh render.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "how-it-works.md"
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "how_it_works.py"
QUICKSTART = ROOT / "examples" / "quickstart.py"
RULES = ROOT / "s2sad" / "primitives" / "numpy_ops.py"

README_BEGIN = "<!-- begin generated: s2sad show examples/quickstart.py:f -->"
README_END = "<!-- end generated -->"

if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import s2sad  # noqa: E402
from s2sad.cli import load_file  # noqa: E402


def show(fn: Callable, wrt: Any = 0, ir: bool = False) -> str:
    """What `s2sad show` prints for `fn`, without the trailing newline."""
    return s2sad.show(fn, wrt=wrt, ir=ir).rstrip("\n")


def split_ir(text: str) -> tuple[str, str]:
    """Split `show --ir` output into its primal and reversed halves."""
    primal, sep, reversed_ir = text.partition("\n\n# reversed IR\n")
    if not sep:
        raise ValueError("`s2sad show --ir` output has no '# reversed IR' section")
    return primal, "# reversed IR\n" + reversed_ir


def outline(node: ast.AST, depth: int = 0) -> list[str]:
    """A compact, Python-version-stable outline of a syntax tree.

    `ast.dump` changes its output between Python versions, which would make
    the generated page depend on the interpreter; this prints only node types
    and identifiers, and leaves out load/store contexts."""
    label = type(node).__name__
    for field in ("name", "id", "attr", "arg"):
        value = getattr(node, field, None)
        if isinstance(value, str):
            label += f" {value}"
    if isinstance(node, ast.Constant):
        label += f" {node.value!r}"
    lines = ["  " * depth + label]
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.expr_context):
            lines.extend(outline(child, depth + 1))
    return lines


def tree_of(fn: Callable) -> str:
    """The outline of `fn`'s definition, parsed as s2sad's first stage does."""
    tree = ast.parse(inspect.getsource(fn))
    return "\n".join(outline(tree.body[0]))


def rule_source(*names: str) -> str:
    """The table entries for `names`, quoted verbatim from s2sad/primitives/numpy_ops.py."""
    text = RULES.read_text()
    found: dict[str, str] = {}
    for stmt in ast.parse(text).body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(call, ast.Call) or not call.args:
            continue
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            name = first.value.split("(")[0]
            if name in names and name not in found:
                found[name] = ast.get_source_segment(text, stmt) or ""
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"no rule for {missing} in {RULES}")
    return "\n".join(found[n] for n in names)


def fill(template: str, values: dict[str, str]) -> str:
    """Replace each `{{key}}`; an unknown or unused key is an error, not a silent gap."""
    used = set(re.findall(r"\{\{(\w+)\}\}", template))
    if used != set(values):
        raise KeyError(f"template keys {sorted(used)} != values {sorted(values)}")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def render_doc() -> str:
    """The full text of docs/how-it-works.md."""
    example = load_file(str(EXAMPLE))
    f, power = example.f, example.power
    primal_ir, reversed_ir = split_ir(show(f, ir=True))
    values = {
        "f_source": inspect.getsource(f).rstrip("\n"),
        "f_tree": tree_of(f),
        "f_ir": primal_ir,
        "f_reversed_ir": reversed_ir,
        "rules": rule_source("mul", "add", "np.sin"),
        "f_grad": show(f),
        "f_grad_xy": show(f, wrt=("x", "y")),
        "power_source": inspect.getsource(power).rstrip("\n"),
        "power_grad": show(power),
    }
    return fill(TEMPLATE, values)


def render_readme(current: str) -> str:
    """`current` README text with the generated `s2sad show` excerpt refreshed."""
    quickstart = load_file(str(QUICKSTART))
    block = f"{README_BEGIN}\n```python\n{show(quickstart.f)}\n```\n{README_END}"
    pattern = re.compile(re.escape(README_BEGIN) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(current):
        raise ValueError(f"README.md has no {README_BEGIN!r} ... {README_END!r} block")
    return pattern.sub(lambda _: block, current, count=1)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the rendered files, or with --check report whether they are stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    outputs = {DOC: render_doc(), README: render_readme(README.read_text())}
    stale = [path for path, text in outputs.items()
             if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(outputs[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


TEMPLATE = '''\
<!-- Generated by scripts/gen_how_it_works.py from examples/how_it_works.py.
     Edit the template in that script, then run it; do not edit this file. -->

# How s2sad works

s2sad turns a Python function into the Python source of its gradient. This
page follows one small function through every stage of the compiler. Each
code block below is real output, regenerated by `scripts/gen_how_it_works.py`;
a test fails if the page and the compiler ever disagree.

The function, from `examples/how_it_works.py`:

```python
{{f_source}}
```

| stage | module | from | to |
|---|---|---|---|
| parse | `parsing.py` | a live function | its syntax tree, file and line numbers |
| lower | `lowering/` | syntax tree | IR: structured SSA |
| guard | `aliasing.py` | IR | IR with checks before in-place updates others may see |
| analyse | `analysis.py` | IR | facts: activity, shape classes, containers, buffers |
| prepare | `prepare.py` | IR | IR with snapshots, calls split, trip counters |
| reverse | `reverse.py` over `primitives/` | IR of `f` | IR of `df` |
| emit | `naming.py`, `emit.py` | IR of `df` | Python source, compiled |

`pipeline.py` runs these stages once per function, choice of `wrt` and kind
of arguments, and caches the result. The result is valid while the names it
baked in still hold (`np` in `np.sin`, `range`, a helper `act = np.tanh`):
a rebinding anywhere Python would look (globals, builtins, closure cells)
compiles anew.

## 1. Parse

s2sad reads the function's source with `inspect` and parses it with `gast`
(a version-independent flavour of Python's `ast`). It keeps the file name and
line offset, so every later error can point at the user's line. Free names
are resolved the way Python resolves them, against the live function:
closure, then the module's globals, then builtins. `np` means whatever object
`np` is in the function's module.

An outline of the tree (node types and names; load/store markers left out):

```
{{f_tree}}
```

## 2. Lower to IR

The lowering turns each operation into one statement that assigns a fresh
SSA value: `%`, the user's variable name when there is one, and a number
(`%z3`, `%4`). Assigning a variable again makes a new value, so every value
is assigned exactly once. Operators become primitive names (`mul`, `add`); calls are
matched to primitives by the object they resolve to, so `np.sin`, `numpy.sin`
and `from numpy import sin` are the same primitive. Each statement remembers
its source line (the `# line` comments are lines of `examples/how_it_works.py`).
This is the first half of `s2sad show examples/how_it_works.py:f --ir`:

```
{{f_ir}}
```

Branches and loops stay structured in the IR: an `if` statement yields the
values its two sides assign, and a loop carries the variables it updates.

## 3. Reverse

### Rules

Every primitive has one record in the table of primitives
(`s2sad/primitives/`): its signature, the facts the passes need (is it
elementwise, does it return a view, is it expensive to recompute, ...) and,
for each differentiable parameter, a Python expression for its
vector-Jacobian product, written with the parameters, `g` (the adjoint of the
output) and `ans` (the output). These are the three entries `f` needs, quoted
from `s2sad/primitives/numpy_ops.py`:

```python
{{rules}}
```

Rules are templates: the reverse pass lowers the expressions into IR with the
parameters bound to the statement's operands, so adjoint code is ordinary IR
that the simplifier and the emitter handle like any other code. A call to a
function without a rule is differentiated through its source if it has one;
otherwise a differentiable value reaching it is an error, never a silently
dropped gradient.

### Activity analysis

Before emitting anything, the reverse pass finds the *active* values: those
that depend on a `wrt` argument and reach the returned value. Only active
statements get adjoints. Here `wrt=0` asks for `x`, and `y` does not depend
on `x`, so no adjoint of `y` is computed. Comparisons, `len`, integer
indices, `s2sad.stop_gradient(...)` and the like cut the dependency chain too.

### Accumulation

The adjoint pass visits the statements backwards. When a value is used more
than once, its adjoint is the sum of the contributions of each use: the first
contribution is assigned, later ones are added. `z` is used twice, in
`np.sin(z)` and in `+ z`; the `add` rule's contribution is the output's
adjoint itself, so it costs no statement, and the `np.sin` rule contributes
`dout * np.cos(z)`. The sum of the two is `z`'s adjoint, which the `mul` rule
then turns into `x`'s.

### Unbroadcast elimination

NumPy broadcasts: in `x * y`, `x` may be a number and `y` a vector, and the
product has `y`'s shape. The adjoint of `x` must have `x`'s shape, so the
rules wrap contributions in `unbroadcast(g, x)`, which sums over the axes
broadcasting added. Most of the time nothing was broadcast, so the reverse
pass tracks *shape classes*, values known to share a shape (the result of an
elementwise operation on one class and scalar constants stays in that class),
and drops `unbroadcast(a, b)` when `a` and `b` are in the same class.

In `f`, `np.sin(z)` has `z`'s shape, so both `unbroadcast`s of the `add` rule
vanish. `x * y` combines two arguments whose shapes are only known at run
time, so `x`'s adjoint keeps its `unbroadcast`, which returns its input
unchanged when the shapes turn out to match.

### The reversed IR

The result is a new IR function that runs the forward pass, then the adjoint
statements, and returns the value together with the gradient.
`require_scalar` makes `grad` of a non-scalar function an error that points
at the `return` line. This is the second half of the `--ir` output:

```
{{f_reversed_ir}}
```

## 4. Emit

The emitter turns the IR back into a Python syntax tree and source, and
compiles it once. It aims for code a person would write:

* names: each SSA value takes its variable's name (`z`, then `z_1`, ...),
  adjoints are `d` + name, anonymous temporaries are `t`, `t_1`, ...;
* folding: a temporary used once, in the same block, is written inline, so
  `np.sin(z) + z` comes back as one expression;
* line numbers: every statement carries the user's line, so a traceback from
  inside the gradient points into the user's file.

The generated function reaches NumPy and the runtime helpers (`unbroadcast`,
`require_scalar`, ...) through closure cells bound when it is built, so it
never reads or clobbers the user's globals. This is what
`s2sad show examples/how_it_works.py:f` prints:

```python
{{f_grad}}
```

With `--wrt x,y` the forward pass is the same and one more adjoint appears;
the gradient is then a tuple:

```python
{{f_grad_xy}}
```

## Loops: the tape

Loops are reversed region by region. The forward loop runs as written, but
pushes the values the backward pass will need onto a list, the *tape*: here
the loop-carried `y`, just before it is overwritten. The backward pass runs
the loop the other way (the same `range`, reversed; for a `while` loop, as
many trips as the forward loop made), pops the saved values, and updates the
adjoints. The adjoint of a value defined outside the loop (`x`) becomes an
accumulator carried by the backward loop; the adjoint of a loop-carried value
(`y`) is handed from one iteration to the previous one.

```python
{{power_source}}
```

```python
{{power_grad}}
```

Cheap values are recomputed in the backward pass instead of being stored;
expensive ones (matrix products, sorts, ...) and results of nested loops and
branches are taped. An `if` saves its condition, and the backward pass takes
the same branch.

## Where next

* [ops.md](ops.md) lists the supported operations and their rules.
* `s2sad/primitives/numpy_ops.py` is where a new rule goes: usually one line.
* [design.md](design.md) explains the compiler's layout and its choices.
* The README lists what is not supported yet.
'''


if __name__ == "__main__":
    sys.exit(main())
