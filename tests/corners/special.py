"""Special points: zeros, ties, overflow, singular matrices, inf/nan inputs."""
import math

import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


# ---------------------------------------------------------------- sqrt / norm at zero

@case(args=lambda: (np.zeros(3),), expect="nondiff", ref=lambda: np.zeros(3),
      note="2-norm of the zero vector: 0, the least subgradient (JAX and autograd compute "
           "x / norm = 0/0 = nan), as the Frobenius norm of a zero matrix; so norm(x) ** 2 "
           "has its gradient 2x = 0 there")
def norm_zero_vector(x):
    return np.linalg.norm(x)


@case(args=lambda: (np.zeros(3),), expect="nondiff", ref=lambda: np.full(3, np.nan),
      note="sqrt(sum(x**2)) at 0: sqrt's inf times 2x = 0 is nan (IEEE arithmetic, as JAX)")
def sqrt_sum_sq_zero(x):
    return np.sqrt(np.sum(x ** 2))


@case(args=lambda: (np.array([[0.0, 0.0], [3.0, 4.0]]),), expect="nondiff",
      ref=lambda: np.array([[0.0, 0.0], [0.6, 0.8]]),
      note="row norms with a zero row: 0 for the zero row (as norm_zero_vector), x / norm "
           "elsewhere")
def norm_axis_zero_row(x):
    return np.sum(np.linalg.norm(x, axis=1))


@case(args=lambda: (np.array([0.0, 3.0, -4.0]),), expect="nondiff",
      ref=lambda: np.array([1.0, 1.0, -1.0]),
      note="L1 norm with a zero entry: d|x|/dx = 1 at 0 (the abs convention; JAX computes norm(x, "
           "1) as sum(abs(x)))")
def norm_l1_zero_entry(x):
    return np.linalg.norm(x, ord=1)


@case(args=lambda: (np.array([1.0, 3.0, -4.0]),), note="L3 norm")
def norm_l3(x):
    return np.linalg.norm(x, ord=3)


@case(args=lambda: (np.array([1.0, 3.0, -4.0]),), note="ord=0.5 quasi-norm")
def norm_half(x):
    return np.linalg.norm(x, ord=0.5)


@case(args=lambda: (np.array([1.0, 3.0, -4.0]),), note="ord=-1 harmonic")
def norm_minus1(x):
    return np.linalg.norm(x, ord=-1)


@case(args=lambda: (np.array([1.0, 3.0, -4.0]),), note="ord=-inf = min |x|")
def norm_minus_inf(x):
    return np.linalg.norm(x, ord=-np.inf)


@case(args=lambda: (np.array([1.0, -4.0, 4.0]),), expect="nondiff",
      ref=lambda: np.array([0.0, -0.5, 0.5]),
      note="ord=inf tie between -4 and 4: split evenly (JAX splits): [0,-0.5,0.5]")
def norm_inf_tie(x):
    return np.linalg.norm(x, ord=np.inf)


@case(args=lambda: (np.array([2.0, 3.0, -4.0]),), note="ord=inf plain")
def norm_inf(x):
    return np.linalg.norm(x, ord=np.inf)


@case(args=lambda: (np.array([1.0, 3.0, -4.0]),), note="ord=0 count: zero gradient")
def norm_ord0(x):
    return np.linalg.norm(x, ord=0) + np.sum(x)


@case(args=lambda: (np.array([0.0, 4.0]),), expect="nondiff", ref=lambda: np.array([np.inf, 0.25]),
      note="sqrt at 0 = inf")
def sqrt_zero(x):
    return np.sum(np.sqrt(x))


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: float("inf"),
      note="math.sqrt at 0.0: inf; ZeroDivisionError is a crash")
def math_sqrt_zero(x):
    return math.sqrt(x)


@case(args=lambda: (np.array([0.0, 1.0, 2.0]),), expect="nondiff",
      ref=lambda: np.array([np.nan, 1.0, np.log(2) + 1]),
      note="x*log(x) at 0: log(0) * 1 + 0 * (1/0) = -inf + nan = nan (documented convention); the "
           "old reference -inf was the limit")
def xlogx(x):
    return np.sum(x * np.log(x))


@case(args=lambda: (np.array([0.0, 1.0, 2.0]),), expect="nondiff",
      ref=lambda: np.array([np.nan, 1.0, np.log(2) + 1]),
      note="np.where(x > 0, x*log(x), 0) at 0: the masked branch's nan leaks through np.where "
           "(documented convention, as in JAX and autograd); the old reference was 0")
def where_xlogx(x):
    return np.sum(np.where(x > 0, x * np.log(x), 0.0))


@case(args=lambda: (np.array([-1.0, 1.0, 2.0]),), expect="nondiff",
      ref=lambda: np.array([np.nan, 0.5, 0.5 / np.sqrt(2)]),
      note="np.where(x > 0, np.sqrt(x), 0) at x = -1: sqrt's derivative there is nan and leaks "
           "through np.where (documented convention, as in JAX; double_where_sqrt is the safe "
           "pattern); the old reference was 0")
def where_sqrt_negative(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


@case(args=lambda: (np.array([-1.0, 1.0, 2.0]),),
      note="double-where pattern: safe input then where; must be finite")
def double_where_sqrt(x):
    safe = np.where(x > 0, x, 1.0)
    return np.sum(np.where(x > 0, np.sqrt(safe), 0.0))


# ---------------------------------------------------------------- arctan2 / hypot

@case(args=lambda: (0.0, 0.0), wrt=(0, 1), expect="nondiff", ref=lambda: (np.nan, np.nan),
      note="arctan2(0, 0): nan (documented convention)")
def arctan2_origin(y, x):
    return np.arctan2(y, x)


@case(args=lambda: (np.array([1.0, -1.0]), np.array([0.0, 0.0])), wrt=(0, 1),
      note="arctan2 on the y axis")
def arctan2_yaxis(y, x):
    return np.sum(np.arctan2(y, x))


@case(args=lambda: (np.array([1.0, 2.0]), 3.0), wrt=(0, 1), note="arctan2 broadcast scalar x")
def arctan2_broadcast(y, x):
    return np.sum(np.arctan2(y, x))


@case(args=lambda: (np.array([0.0, 3.0]), np.array([0.0, 4.0])), wrt=(0, 1), expect="nondiff",
      ref=lambda: (np.array([np.nan, 0.6]), np.array([np.nan, 0.8])),
      note="hypot(0, 0): x / hypot = 0/0 = nan (IEEE arithmetic)")
def hypot_origin(x, y):
    return np.sum(np.hypot(x, y))


@case(args=lambda: (1.0, 0.0), wrt=(0, 1), note="math.atan2 on axis")
def math_atan2(y, x):
    return math.atan2(y, x)


# ---------------------------------------------------------------- ties in max/min

@case(args=lambda: (np.array([1.0, 3.0, 3.0]), np.array([2.0, 3.0, 1.0])), wrt=(0, 1),
      expect="nondiff", ref=lambda: (np.array([0.0, 0.5, 1.0]), np.array([1.0, 0.5, 0.0])),
      note="np.maximum tie: 0.5/0.5 (convention)")
def maximum_tie(x, y):
    return np.sum(np.maximum(x, y))


@case(args=lambda: (np.array([1.0, 3.0]),), expect="nondiff", ref=lambda: np.array([1.0, 1.0]),
      note="np.maximum(x, x): same array both args, total derivative must be 1")
def maximum_self(x):
    return np.sum(np.maximum(x, x))


@case(args=lambda: (np.array([1.0, 3.0, 3.0]),), expect="nondiff",
      ref=lambda: np.array([0.0, 0.5, 0.5]),
      note="np.max tie: split evenly among the tied entries (convention)")
def max_tie(x):
    return np.max(x)


@case(args=lambda: (np.array([1.0, 3.0, 3.0]),), expect="nondiff",
      ref=lambda: np.array([0.0, 1.0, 0.0]),
      note="builtin max of a 1-d array, tie: the first extreme entry gets all (convention)")
def builtin_max_tie(x):
    return max(x)


@case(args=lambda: (2.0, 2.0), wrt=(0, 1), expect="nondiff", ref=lambda: (1.0, 0.0),
      note="builtin max(a, b), tie: the first argument gets all (convention)")
def builtin_max_two_tie(a, b):
    return max(a, b)


@case(args=lambda: (np.array([[1.0, 5.0], [5.0, 2.0]]),), expect="nondiff",
      ref=lambda: np.array([[0, 0.5], [0.5, 0]]), note="np.max(axis=None) tie across rows")
def max_tie_2d(x):
    return np.max(x)


@case(args=lambda: (np.array([[1.0, 5.0], [5.0, 2.0]]),), note="np.max axis=0, no tie per column")
def max_axis0(x):
    return np.sum(np.max(x, axis=0) * np.array([1.0, 2.0]))


@case(args=lambda: (np.array([3.0, 1.0, 1.0]),), expect="nondiff",
      ref=lambda: np.array([0.0, 0.5, 0.5]), note="np.min tie")
def min_tie(x):
    return np.min(x)


@case(args=lambda: (np.array([1.0, 2.0]), np.array([np.nan, 0.5])), wrt=0,
      note="np.fmax ignores nan: fmax(1, nan)=1 so d/dx = 1 there")
def fmax_nan(x, y):
    return np.sum(np.fmax(x, y))


@case(args=lambda: (np.array([1.0, 2.0]), np.array([np.nan, 5.0])), wrt=0,
      note="np.fmin ignores nan")
def fmin_nan(x, y):
    return np.sum(np.fmin(x, y))


@case(args=lambda: (np.array([1.0, 2.0]),), ref=lambda: np.array([0.0, 1.0]),
      note="np.fmax(x, inf) = inf: derivative 0 (explicit ref)")
def fmax_inf(x):
    return np.sum(np.fmax(x, np.array([np.inf, 0.0])))


@case(args=lambda: (np.array([1.0, -2.0]),), note="np.maximum(x, 0) relu")
def relu(x):
    return np.sum(np.maximum(x, 0.0))


@case(args=lambda: (np.array([0.0, -2.0, 1.0]),), expect="nondiff",
      ref=lambda: np.array([0.5, 0.0, 1.0]), note="np.maximum(x, 0) at 0: a tie, 0.5 (convention)")
def relu_at_zero(x):
    return np.sum(np.maximum(x, 0.0))


# ---------------------------------------------------------------- overflow

@case(args=lambda: (np.array([700.0, 1.0]),), note="exp(700) large but finite")
def exp_700(x):
    return np.sum(np.exp(x)) * 1e-300


@case(args=lambda: (np.array([1000.0, -1000.0]), np.array([1000.0, 0.0])), wrt=(0, 1),
      ref=lambda: (np.array([0.5, 0.0]), np.array([0.5, 1.0])),
      note="logaddexp with large args: stable derivative 0.5/0.5 and ~0/1")
def logaddexp_large(x, y):
    return np.sum(np.logaddexp(x, y))


@case(args=lambda: (np.array([1000.0, -1000.0]), np.array([1000.0, 0.0])), wrt=(0, 1),
      ref=lambda: (np.array([0.5, 0.0]), np.array([0.5, 1.0])), note="logaddexp2 large")
def logaddexp2_large(x, y):
    return np.sum(np.logaddexp2(x, y))


@case(args=lambda: (np.array([-np.inf, 1.0]), np.array([-np.inf, 1.0])), wrt=0, expect="nondiff",
      ref=lambda: np.array([0.0, 0.5]),
      note="np.where(isfinite(x), logaddexp(x, y), 0) at x = y = -inf: the masked branch's "
           "share is its limit, 1/2 (exp(x - ans) was exp(nan)), and the mask's 0 takes it")
def logaddexp_neg_inf(x, y):
    return np.sum(np.where(np.isfinite(x), np.logaddexp(x, y), 0.0))


@case(args=lambda: (np.array([800.0, -800.0]),), ref=lambda: np.array([1.0, 0.0]),
      note="log(1+exp(x)) via logaddexp(0, x): sigmoid")
def softplus_stable(x):
    return np.sum(np.logaddexp(0.0, x))


@case(args=lambda: (np.array([50.0, 0.0]),), note="tanh saturate: 1 - ans**2")
def tanh_saturate(x):
    return np.sum(np.tanh(x))


@case(args=lambda: (np.array([1e-300, 1.0]),), ref=lambda: np.array([1.0, 1e-300]),
      note="log near underflow (explicit ref: FD steps below 0)")
def log_tiny(x):
    return np.sum(np.log(x)) * 1e-300


@case(args=lambda: (np.array([1e-10, 2.0]),), note="log1p small")
def log1p_small(x):
    return np.sum(np.log1p(x))


@case(args=lambda: (np.array([1e-10, 2.0]),), note="expm1 small")
def expm1_small(x):
    return np.sum(np.expm1(x))


# ---------------------------------------------------------------- singular det / prod zeros

@case(args=lambda: (np.array([[1.0, 2.0], [2.0, 4.0]]),),
      ref=lambda: np.array([[4.0, -2.0], [-2.0, 1.0]]),
      note="det of singular matrix: gradient is adjugate^T = [[4,-2],[-2,1]]")
def det_singular(a):
    return np.linalg.det(a)


@case(args=lambda: (np.zeros((2, 2)),), ref=lambda: np.zeros((2, 2)),
      note="det of zero matrix: gradient 0 (cofactors of 0)")
def det_zero_matrix(a):
    return np.linalg.det(a)


@case(args=lambda: (np.array([[2.0, 1.0], [1.0, 3.0]]),), note="det regular")
def det_regular(a):
    return np.linalg.det(a)


@case(args=lambda: (np.array([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]]),),
      note="batched det")
def det_batched(a):
    return np.sum(np.linalg.det(a) * np.array([1.0, 2.0]))


@case(args=lambda: (np.array([[2.0, 1.0], [1.0, 3.0]]),), note="slogdet logdet")
def slogdet_logdet(a):
    s, logdet = np.linalg.slogdet(a)
    return logdet * s


@case(args=lambda: (np.array([[0.0, 1.0], [1.0, 0.0]]),), note="slogdet negative det: sign -1")
def slogdet_negative(a):
    sign, logdet = np.linalg.slogdet(a + 0.5 * np.eye(2))
    return sign * logdet


@case(args=lambda: (np.array([[2.0, 1.0], [1.0, 3.0]]),), note="slogdet result indexed [1]")
def slogdet_index(a):
    return np.linalg.slogdet(a)[1]


@case(args=lambda: (np.array([[2.0, 1.0], [1.0, 3.0]]),),
      note="the .logabsdet attribute of slogdet's result (a namedtuple, NumPy 2)")
def slogdet_attr(a):
    return np.linalg.slogdet(a).logabsdet


@case(args=lambda: (np.array([2.0, 0.0, 3.0]),), note="prod with one zero")
def prod_one_zero(x):
    return np.prod(x)


@case(args=lambda: (np.array([2.0, 0.0, 0.0]),), note="prod with two zeros: gradient all 0")
def prod_two_zeros(x):
    return np.prod(x)


@case(args=lambda: (np.array([[2.0, 0.0], [3.0, 4.0]]),), note="prod axis=1 with a zero")
def prod_axis_zero(x):
    return np.sum(np.prod(x, axis=1) * np.array([1.0, 2.0]))


@case(args=lambda: (np.array([[2.0, 0.0], [3.0, 4.0]]),),
      note="prod axis=(0,1) keepdims with a zero")
def prod_tuple_axis_zero(x):
    return np.sum(np.prod(x, axis=(0, 1), keepdims=True))


@case(args=lambda: (np.array([2.0, 0.0, 3.0, 0.5]),), note="cumprod with a zero")
def cumprod_zero(x):
    return np.sum(np.cumprod(x) * np.array([1.0, 2.0, 3.0, 4.0]))


@case(args=lambda: (np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 0.0]]),),
      note="cumprod axis=1 with zeros")
def cumprod_axis_zero(x):
    return np.sum(np.cumprod(x, axis=1) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 0.0]]),),
      note="cumprod axis=-1 with zeros")
def cumprod_negaxis_zero(x):
    return np.sum(np.cumprod(x, axis=-1) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 0.0]]),),
      note="cumprod axis=None 2-d with zeros")
def cumprod_none_2d_zero(x):
    return np.sum(np.cumprod(x) * np.arange(6.0))


# ---------------------------------------------------------------- std / var

@case(args=lambda: (np.ones(4),), expect="nondiff", ref=lambda: np.full(4, np.nan),
      note="std of constant data: sqrt's inf at 0 times 0 = nan (IEEE arithmetic, as JAX)")
def std_constant(x):
    return np.std(x)


@case(args=lambda: (np.ones(4),), note="var of constant data: gradient 0")
def var_constant(x):
    return np.var(x)


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="std ddof=1")
def std_ddof1(x):
    return np.std(x, ddof=1)


@case(args=lambda: (np.array([[1.0, 2.0, 4.0], [0.0, 1.0, 5.0]]),),
      note="var axis=1 ddof=1 keepdims")
def var_axis_ddof(x):
    return np.sum(np.var(x, axis=1, ddof=1, keepdims=True) * np.array([[1.0], [2.0]]))


@case(args=lambda: (np.array([[1.0, 2.0, 4.0], [0.0, 1.0, 5.0]]),), note="std axis=(0,1)")
def std_tuple_axis(x):
    return np.std(x, axis=(0, 1))


@case(args=lambda: (np.array([[1.0, 2.0, 4.0], [0.0, 1.0, 5.0]]),), note="std axis=-1")
def std_negaxis(x):
    return np.sum(np.std(x, axis=-1))


# ---------------------------------------------------------------- signed zeros, abs

@case(args=lambda: (np.array([0.0, -0.0, 1.0]),), expect="nondiff",
      ref=lambda: np.array([1.0, 1.0, 1.0]),
      note="np.abs at +0 and -0: derivative 1 (documented convention, JAX's); the old reference 0 "
           "assumed sign(0)")
def abs_signed_zero(x):
    return np.sum(np.abs(x))


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: 1.0,
      note="builtin abs(0.0): derivative 1 (documented convention); the old reference 0 assumed "
           "sign(0)")
def builtin_abs_zero(x):
    return abs(x)


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: 1.0,
      note="math.fabs(0.0): derivative 1 (documented convention); the old reference 0 assumed "
           "sign(0)")
def math_fabs_zero(x):
    return math.fabs(x)


@case(args=lambda: (np.array([-0.0, 2.0]),), note="np.sqrt(x*x + 1) at -0: fine")
def signed_zero_sqrt(x):
    return np.sum(np.sqrt(x * x + 1.0))


@case(args=lambda: (np.array([0.0, 0.3]),), note="sinc at 0: derivative 0")
def sinc_zero(x):
    return np.sum(np.sinc(x))


@case(args=lambda: (0.0,), note="sinc of python float at 0")
def sinc_scalar(x):
    return float(np.sinc(x))


@case(args=lambda: (np.array([0.5, 1.5, 3.0]),), expect="nondiff",
      ref=lambda: np.array([1.0, 0.5, 0.0]),
      note="clip at its bound (1.5 == a_max): 0.5 (documented convention: clip is min(max(a, lo), "
           "hi), a tie); the old reference 1 was a closed mask")
def clip_at_boundary(x):
    return np.sum(np.clip(x, 0.0, 1.5))


@case(args=lambda: (np.array([0.5, 1.5, 3.0]), np.array([1.0, 1.0, 1.0])), wrt=(0, 1),
      note="clip with array upper bound, wrt both")
def clip_array_bound(x, hi):
    return np.sum(np.clip(x, 0.0, hi) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.array([0.5, 1.5, 3.0]), np.array([1.0, 1.0, 1.0])), wrt=(0, 1),
      note="clip lower array bound wrt both")
def clip_array_lower(x, lo):
    return np.sum(np.clip(x, lo, 10.0) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.array([0.5, 1.5, 3.0]), 1.0), wrt=(0, 1),
      note="clip a_min=None, a_max scalar param")
def clip_none_min(x, hi):
    return np.sum(np.clip(x, None, hi))


@case(args=lambda: (np.array([0.5, 1.5, 3.0]),),
      note="clip with lo > hi: numpy returns hi everywhere")
def clip_inverted(x):
    return np.sum(np.clip(x, 2.0, 1.0) + x)


@case(args=lambda: (np.array([0.5, 1.5, 3.0]), 2.0, 1.0), wrt=(1, 2),
      note="clip with lo > hi wrt bounds: result is hi everywhere -> d/dhi=3, d/dlo=0")
def clip_inverted_bounds(x, lo, hi):
    return np.sum(np.clip(x, lo, hi))


@case(args=lambda: (np.array([[0.5, 1.5], [3.0, -1.0]]), np.array([0.0, 1.0])), wrt=(0, 1),
      note="clip broadcast lower bound of shape (2,)")
def clip_broadcast_bound(x, lo):
    return np.sum(np.clip(x, lo, 2.0))


@case(args=lambda: (np.array([2.5, -1.5, 7.0]), 2.0), wrt=(0, 1), note="mod gradient wrt both")
def mod_both(x, y):
    return np.sum(x % y)


@case(args=lambda: (np.array([2.5, -1.5]),), note="np.mod: the rules of x % y")
def np_mod(x):
    return np.sum(np.mod(x, 2.0))


@case(args=lambda: (np.array([0.3, -1.5]),), note="np.arcsin/arccos/arctan")
def inverse_trig(x):
    return np.sum(np.arcsin(x * 0.5) + np.arccos(x * 0.3) + np.arctan(x))


@case(args=lambda: (np.array([1.5, 2.5]),), note="arccosh, arcsinh, arctanh")
def inverse_hyp(x):
    return np.sum(np.arccosh(x) + np.arcsinh(x) + np.arctanh(x / 3.0))


@case(args=lambda: (np.array([1.0, 0.0]),), expect="nondiff", ref=lambda: np.array([np.inf, 1.0]),
      note="arcsin at 1: inf (IEEE arithmetic)")
def arcsin_edge(x):
    return np.sum(np.arcsin(x))
