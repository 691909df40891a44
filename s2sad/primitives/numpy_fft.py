"""np.fft's transforms: linear, so each tangent is the same call on the
tangent, and each adjoint is the transpose (see s2sad/runtime/fft.py).

Complex values follow JAX's and autograd's convention: the pairing is
bilinear, Re(sum(a * b)), so the adjoint of a transform that is complex
linear in its input (fft, ifft, their n-dimensional forms) is its transpose
without conjugation, and a real input gets the real part. `n=`/`s=`,
`axis=`/`axes=` and `norm=` ("backward", "ortho", "forward") are honoured;
`out=` is refused.
"""

from __future__ import annotations

from .record import group, vjp

group("FFT")

_FACTS = {"linear": ("a",), "expensive": True, "fresh": True}

# One-dimensional: a's length along `axis` cut or padded to n, then the transform.
for _name in ("fft", "ifft"):
    vjp(f"np.fft.{_name}(a, n=None, axis=-1, norm=None, out=None)",
        a=f"real_if_real(fit_to(np.fft.{_name}(g, n, axis, norm), a), a)", **_FACTS)
vjp("np.fft.rfft(a, n=None, axis=-1, norm=None, out=None)",
    a="fit_to(np.real(np.fft.fft(spectrum_pad(g, a, n, axis), n, axis, norm)), a)",
    **_FACTS)
vjp("np.fft.irfft(a, n=None, axis=-1, norm=None, out=None)",
    a="real_if_real(fit_to(hermitian_fold(np.fft.ifft(np.real(g), n, axis, norm), axis), a), a)",
    note="the imaginary parts of the first and (n even) last bins are ignored, as by "
    "NumPy: their adjoint is real", **_FACTS)

# Two- and n-dimensional: the same along each of the axes NumPy chooses.
for _name in ("fft2", "ifft2"):
    vjp(f"np.fft.{_name}(a, s=None, axes=(-2, -1), norm=None, out=None)",
        a=f"real_if_real(fit_to(np.fft.{_name}(g, s, axes, norm), a), a)", **_FACTS)
for _name in ("fftn", "ifftn"):
    vjp(f"np.fft.{_name}(a, s=None, axes=None, norm=None, out=None)",
        a=f"real_if_real(fit_to(np.fft.{_name}(g, s, fft_axes(a, s, axes), norm), a), a)",
        **_FACTS)
for _name, _axes in (("rfft2", "(-2, -1)"), ("rfftn", "None")):
    vjp(f"np.fft.{_name}(a, s=None, axes={_axes}, norm=None, out=None)",
        a="fit_to(np.real(np.fft.fftn(spectrum_pad(g, a, s, axes), s, fft_axes(a, s, axes), "
          "norm)), a)", **_FACTS)
for _name, _axes in (("irfft2", "(-2, -1)"), ("irfftn", "None")):
    vjp(f"np.fft.{_name}(a, s=None, axes={_axes}, norm=None, out=None)",
        a="real_if_real(fit_to(hermitian_fold(np.fft.ifftn(np.real(g), s, fft_axes(a, s, axes), "
          "norm), fft_axes(a, s, axes)), a), a)",
        note="as irfft, along the last axis", **_FACTS)
# (the zero frequency moved to the middle and back: rolls, each the other's adjoint)
vjp("np.fft.fftshift(x, axes=None)", x="np.fft.ifftshift(g, axes)", linear=("x",), fresh=True)
vjp("np.fft.ifftshift(x, axes=None)", x="np.fft.fftshift(g, axes)", linear=("x",), fresh=True)
