"""Cut a reversed function into its two halves, for calls from other gradients:
`forward(*params) -> (value, state)` and `backward(state, seed) -> grads`,
where `state` holds exactly the values the backward half reads."""

from __future__ import annotations

from .ir import (
    Assign,
    Block,
    Const,
    Function,
    Return,
    Var,
    VarFactory,
    defined,
    defs,
    reads,
    walk,
)
from .reverse import Reversed


def split(rev: Reversed, factory: VarFactory) -> tuple[Function, Function]:
    dfn = rev.function
    stmts = dfn.body.stmts[:-1]
    cut = stmts.index(rev.backward_start)
    forward = stmts[:cut]
    backward = [s for s in stmts[cut:] if s is not rev.pair]  # (each half returns its own)
    params = [p for p in dfn.params if p is not rev.seed]
    grads = {rev.grads} if isinstance(rev.grads, Var) else set()
    saved = sorted((reads(backward) | grads) - {rev.seed} - defined(backward),
                   key=lambda v: v.id)
    state, pair = factory.new("state"), factory.new("")
    top_level = {v for stmt in forward for v in defs(stmt)} | set(params)
    # Values defined in a branch that may not run still go into the state;
    # a version an in-place write made of a parameter has that parameter's
    # name (`s.m = t` in a branch of a method: `s`), bound already.
    written_into = {s.target: s.args[0] for s in walk(Block(forward))
                    if isinstance(s, Assign) and s.prim in ("setattr", "setitem")}

    def first_value(v: Var) -> Var | Const:
        """What v holds if its branch does not run: the parameter it is a version
        of (its name: None there would clobber it), or None (a value made in the
        half takes the name after this)."""
        root = v
        while root in written_into and root not in top_level:
            root = written_into[root]
        return root if root in params else Const(None)

    unbound = [Assign(v, "copy", [first_value(v)]) for v in saved if v not in top_level]
    fwd_body = [*unbound, *forward, Assign(state, "make_tuple", list(saved)),
                Assign(pair, "make_tuple", [rev.value, state]), Return(pair)]
    fwd = Function(dfn.name + "_forward", params, Block(fwd_body), {}, dfn.loc,
                   kwonly=max(dfn.kwonly - 1, 0), posonly=dfn.posonly, vararg=dfn.vararg,
                   varkw=dfn.varkw)
    unpack = [Assign(v, "getitem", [state, Const(i)]) for i, v in enumerate(saved)]
    bwd = Function(dfn.name + "_backward", [state, rev.seed],
                   Block([*unpack, *backward, Return(rev.grads)]), {}, dfn.loc)
    return fwd, bwd
