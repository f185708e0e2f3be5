//! NHWC f32 kernels for batch 1, written as plain loops over contiguous channel rows so
//! LLVM vectorises them (simd128 in the wasm build).

use crate::maths::max_f32;

/// A fused activation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Act {
    /// Identity.
    None,
    /// max(x, 0).
    Relu,
    /// min(max(x, 0), 6).
    Relu6,
}

impl Act {
    /// Applies the activation in place.
    pub fn apply(self, v: &mut [f32]) {
        match self {
            Act::None => {}
            Act::Relu => v.iter_mut().for_each(|x| *x = max_f32(*x, 0.0)),
            Act::Relu6 => v.iter_mut().for_each(|x| *x = x.clamp(0.0, 6.0)),
        }
    }
}

/// Output-channel block of the GEMM (two simd128 registers).
pub(crate) const NB: usize = 8;
/// Pixel block of the GEMM.
const PB: usize = 4;

/// Packs `o × k` weights (row per output channel) into blocks of `NB` output channels,
/// `[block][k][NB]`, zero-padded past `o`.
pub(crate) fn pack_weights(w: &[f32], o: usize, k: usize) -> Vec<f32> {
    let blocks = o.div_ceil(NB);
    let mut out = vec![0.0; blocks * k * NB];
    for oc in 0..o {
        let (b, j) = (oc / NB, oc % NB);
        for kk in 0..k {
            out[(b * k + kk) * NB + j] = w[oc * k + kk];
        }
    }
    out
}

/// `out[p][o] = bias[o] + Σ_k a[p][k] · w[o][k]` for `p` rows, weights packed by
/// [`pack_weights`], `bias` padded to a multiple of `NB`.
pub(crate) fn gemm(a: &[f32], k: usize, wp: &[f32], bias: &[f32], o: usize, out: &mut [f32]) {
    let p = a.len() / k;
    let blocks = o.div_ceil(NB);
    for p0 in (0..p).step_by(PB) {
        let np = (p - p0).min(PB);
        let rows = &a[p0 * k..(p0 + np) * k];
        for b in 0..blocks {
            let wb = &wp[b * k * NB..(b + 1) * k * NB];
            let bb: [f32; NB] = bias[b * NB..(b + 1) * NB].try_into().unwrap_or([0.0; NB]);
            let mut acc = [bb; PB];
            if np == PB {
                let (r0, rest) = rows.split_at(k);
                let (r1, rest) = rest.split_at(k);
                let (r2, r3) = rest.split_at(k);
                for ((((w8, &x0), &x1), &x2), &x3) in
                    wb.chunks_exact(NB).zip(r0).zip(r1).zip(r2).zip(r3)
                {
                    for j in 0..NB {
                        acc[0][j] += x0 * w8[j];
                        acc[1][j] += x1 * w8[j];
                        acc[2][j] += x2 * w8[j];
                        acc[3][j] += x3 * w8[j];
                    }
                }
            } else {
                for (r, row) in rows.chunks_exact(k).enumerate() {
                    for (w8, &x) in wb.chunks_exact(NB).zip(row) {
                        for j in 0..NB {
                            acc[r][j] += x * w8[j];
                        }
                    }
                }
            }
            let n = (o - b * NB).min(NB);
            for (r, acc) in acc.iter().enumerate().take(np) {
                let at = (p0 + r) * o + b * NB;
                out[at..at + n].copy_from_slice(&acc[..n]);
            }
        }
    }
}

/// A spatial window: kernel size, stride and the leading padding, in H and W.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub pad_t: usize,
    pub pad_l: usize,
}

impl Window {
    /// Input coordinate of tap `k` for output `o` along one axis, if inside `0..n`.
    #[inline]
    fn tap(o: usize, s: usize, k: usize, pad: usize, n: usize) -> Option<usize> {
        (o * s + k).checked_sub(pad).filter(|&i| i < n)
    }
}

/// Gathers each output pixel's `kh × kw × c` input patch (zeros outside) into rows.
pub(crate) fn im2col(
    inp: &[f32],
    ih: usize,
    iw: usize,
    c: usize,
    win: &Window,
    oh: usize,
    ow: usize,
) -> Vec<f32> {
    let k = win.kh * win.kw * c;
    let mut out = vec![0.0; oh * ow * k];
    for oy in 0..oh {
        for ox in 0..ow {
            let row = &mut out[(oy * ow + ox) * k..][..k];
            for ky in 0..win.kh {
                let Some(iy) = Window::tap(oy, win.sh, ky, win.pad_t, ih) else {
                    continue;
                };
                for kx in 0..win.kw {
                    let Some(ix) = Window::tap(ox, win.sw, kx, win.pad_l, iw) else {
                        continue;
                    };
                    row[(ky * win.kw + kx) * c..][..c]
                        .copy_from_slice(&inp[(iy * iw + ix) * c..][..c]);
                }
            }
        }
    }
    out
}

/// Depthwise convolution (depth multiplier 1): `w` is `[kh][kw][c]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn depthwise(
    inp: &[f32],
    ih: usize,
    iw: usize,
    c: usize,
    w: &[f32],
    bias: &[f32],
    win: &Window,
    oh: usize,
    ow: usize,
    out: &mut [f32],
) {
    for oy in 0..oh {
        for ox in 0..ow {
            let dst = &mut out[(oy * ow + ox) * c..][..c];
            dst.copy_from_slice(bias);
            for ky in 0..win.kh {
                let Some(iy) = Window::tap(oy, win.sh, ky, win.pad_t, ih) else {
                    continue;
                };
                for kx in 0..win.kw {
                    let Some(ix) = Window::tap(ox, win.sw, kx, win.pad_l, iw) else {
                        continue;
                    };
                    let src = &inp[(iy * iw + ix) * c..][..c];
                    let wt = &w[(ky * win.kw + kx) * c..][..c];
                    for ((d, s), w) in dst.iter_mut().zip(src).zip(wt) {
                        *d += s * w;
                    }
                }
            }
        }
    }
}

/// Max pooling; taps outside the input are skipped.
#[allow(clippy::too_many_arguments)]
pub(crate) fn max_pool(
    inp: &[f32],
    ih: usize,
    iw: usize,
    c: usize,
    win: &Window,
    oh: usize,
    ow: usize,
    out: &mut [f32],
) {
    for oy in 0..oh {
        for ox in 0..ow {
            let dst = &mut out[(oy * ow + ox) * c..][..c];
            dst.fill(f32::NEG_INFINITY);
            for ky in 0..win.kh {
                let Some(iy) = Window::tap(oy, win.sh, ky, win.pad_t, ih) else {
                    continue;
                };
                for kx in 0..win.kw {
                    let Some(ix) = Window::tap(ox, win.sw, kx, win.pad_l, iw) else {
                        continue;
                    };
                    let src = &inp[(iy * iw + ix) * c..][..c];
                    for (d, &s) in dst.iter_mut().zip(src) {
                        *d = max_f32(*d, s);
                    }
                }
            }
        }
    }
}

/// Zero padding of an `h × w × c` tensor: `pads` is `[[top, bottom], [left, right],
/// [channels before, after]]`.
pub(crate) fn pad(inp: &[f32], h: usize, w: usize, c: usize, pads: [[usize; 2]; 3]) -> Vec<f32> {
    let (ow, oc) = (w + pads[1][0] + pads[1][1], c + pads[2][0] + pads[2][1]);
    let oh = h + pads[0][0] + pads[0][1];
    let mut out = vec![0.0; oh * ow * oc];
    for y in 0..h {
        for x in 0..w {
            let at = ((y + pads[0][0]) * ow + x + pads[1][0]) * oc + pads[2][0];
            out[at..at + c].copy_from_slice(&inp[(y * w + x) * c..][..c]);
        }
    }
    out
}

/// PReLU with one slope per channel (the last axis), in place.
pub(crate) fn prelu(v: &mut [f32], alpha: &[f32]) {
    for px in v.chunks_exact_mut(alpha.len()) {
        for (x, &a) in px.iter_mut().zip(alpha) {
            *x = if *x >= 0.0 { *x } else { *x * a };
        }
    }
}

/// `a += b`, then the activation.
pub(crate) fn add(a: &mut [f32], b: &[f32], act: Act) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x += y;
    }
    act.apply(a);
}
