//! A `.tflite` model read into a static graph of f32 kernels, and its interpreter.
//!
//! Supports exactly the operators MediaPipe's face detector and mesh use (CONV_2D,
//! DEPTHWISE_CONV_2D, PRELU, ADD, RELU, MAX_POOL_2D, PAD, RESHAPE, CONCATENATION, and
//! DEQUANTIZE of fp16 constants, folded at load), batch 1, NHWC. Shapes are static: each
//! op's output shape is checked against the one stored in the file when loading.

use super::flatbuf::{Table, Vector};
use super::kernels::{self, Act, Window, NB};
use crate::error::ModelError;

// BuiltinOperator codes (tensorflow/lite/schema/schema.fbs).
const ADD: i32 = 0;
const CONCATENATION: i32 = 2;
const CONV_2D: i32 = 3;
const DEPTHWISE_CONV_2D: i32 = 4;
const DEQUANTIZE: i32 = 6;
const MAX_POOL_2D: i32 = 17;
const RELU: i32 = 19;
const RESHAPE: i32 = 22;
const PAD: i32 = 34;
const PRELU: i32 = 54;

/// What an op computes, with its constants prepared.
enum Kernel {
    /// Convolution as GEMM (im2col unless 1×1 stride 1): packed weights, padded bias.
    Conv {
        win: Window,
        k: usize,
        w: Vec<f32>,
        bias: Vec<f32>,
        act: Act,
        direct: bool,
    },
    /// Depthwise convolution, weights `[kh][kw][c]`.
    Depthwise {
        win: Window,
        w: Vec<f32>,
        bias: Vec<f32>,
        act: Act,
    },
    Add(Act),
    Prelu(Vec<f32>),
    Relu,
    MaxPool(Window),
    Pad([[usize; 2]; 3]),
    Reshape,
    /// Concatenation: `outer` repeats of each input's contiguous `inner` run.
    Concat {
        outer: usize,
        inners: Vec<usize>,
    },
}

struct Op {
    kernel: Kernel,
    inputs: Vec<usize>,
    output: usize,
}

/// A loaded model: its ops in order, the tensors' shapes, and which tensor dies when.
pub(crate) struct Graph {
    ops: Vec<Op>,
    shapes: Vec<Vec<usize>>,
    input: usize,
    outputs: Vec<usize>,
    /// Index of the last op reading each tensor (graph outputs: never freed).
    last_use: Vec<usize>,
}

/// Half-precision bits to f32.
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let (exp, man) = (u32::from((h >> 10) & 0x1f), u32::from(h & 0x3ff));
    let bits = match exp {
        0 if man == 0 => sign,
        0 => {
            let v = man as f32 / 16_777_216.0; // man · 2^-24
            return if sign != 0 { -v } else { v };
        }
        31 => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// Reads a model; `model` names it in error messages.
struct Reader<'a> {
    model: &'static str,
    buffers: Vector<'a>,
    tensors: Vector<'a>,
    /// f32 values of constant tensors (fp16 ones after their DEQUANTIZE).
    consts: Vec<Option<Vec<f32>>>,
}

impl<'a> Reader<'a> {
    fn damaged(&self, detail: impl Into<String>) -> ModelError {
        ModelError::Damaged {
            model: self.model,
            detail: detail.into(),
        }
    }

    fn unsupported(&self, detail: impl Into<String>) -> ModelError {
        ModelError::Unsupported {
            model: self.model,
            detail: detail.into(),
        }
    }

    fn tensor(&self, i: usize) -> Result<Table<'a>, ModelError> {
        self.tensors
            .table(i)
            .ok_or_else(|| self.damaged(format!("tensor {i} unreadable")))
    }

    /// The raw bytes of tensor `i`'s buffer (empty for activations).
    fn data(&self, i: usize) -> Result<&'a [u8], ModelError> {
        let t = self.tensor(i)?;
        let b = self
            .buffers
            .table(t.i32(2, 0) as usize)
            .ok_or_else(|| self.damaged("bad buffer index"))?;
        if let Some(v) = b.vector(0) {
            return v.bytes().ok_or_else(|| self.damaged("buffer out of range"));
        }
        let (off, size) = (b.u64(1, 0) as usize, b.u64(2, 0) as usize);
        b.buffer()
            .get(off..off.saturating_add(size))
            .ok_or_else(|| self.damaged("buffer out of range"))
    }

    /// Tensor `i`'s constant values as f32 (fp16 and f32 storage), checked against its
    /// shape's element count `len`.
    fn load_const(&self, i: usize, len: usize) -> Result<Option<Vec<f32>>, ModelError> {
        let bytes = self.data(i)?;
        if bytes.is_empty() {
            return Ok(None);
        }
        let v: Vec<f32> = match self.tensor(i)?.u8(1, 0) {
            0 => bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            1 => bytes
                .chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect(),
            _ => return Ok(None),
        };
        if v.len() != len {
            return Err(self.damaged(format!(
                "tensor {i} holds {} values, its shape {len}",
                v.len()
            )));
        }
        Ok(Some(v))
    }

    /// Tensor `i`'s constant values as i32.
    fn ints(&self, i: usize) -> Result<Vec<i32>, ModelError> {
        let b = self.data(i)?;
        if self.tensor(i)?.u8(1, 0) != 2 {
            return Err(self.unsupported(format!("tensor {i} should hold int32")));
        }
        Ok(b.chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    fn constant(&self, i: i32, what: &str) -> Result<&[f32], ModelError> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.consts.get(i)?.as_deref())
            .ok_or_else(|| self.unsupported(format!("{what} (tensor {i}) is not a constant")))
    }
}

fn act_of(code: u8, r: &Reader) -> Result<Act, ModelError> {
    match code {
        0 => Ok(Act::None),
        1 => Ok(Act::Relu),
        3 => Ok(Act::Relu6),
        c => Err(r.unsupported(format!("fused activation {c}"))),
    }
}

/// (h, w, c) of an NHWC shape with batch 1.
fn hwc(s: &[usize], r: &Reader) -> Result<[usize; 3], ModelError> {
    match s {
        [1, h, w, c] => Ok([*h, *w, *c]),
        _ => Err(r.unsupported(format!("shape {s:?} is not 1×H×W×C"))),
    }
}

/// Leading padding and output size for one axis (SAME = 0, VALID = 1).
fn window_axis(padding: u8, n: usize, k: usize, s: usize) -> (usize, usize) {
    if padding == 0 {
        let out = n.div_ceil(s);
        (((out - 1) * s + k).saturating_sub(n) / 2, out)
    } else {
        (0, (n.saturating_sub(k)) / s + 1)
    }
}

/// Builds the window from options (padding, stride_w, stride_h at fields 0, 1, 2) and
/// checks the output size against the file's.
fn window(
    o: &Table,
    kh: usize,
    kw: usize,
    i: [usize; 3],
    out: [usize; 3],
    r: &Reader,
) -> Result<Window, ModelError> {
    let (sw, sh) = (o.i32(1, 1).max(1) as usize, o.i32(2, 1).max(1) as usize);
    let (pad_t, oh) = window_axis(o.u8(0, 0), i[0], kh, sh);
    let (pad_l, ow) = window_axis(o.u8(0, 0), i[1], kw, sw);
    if [oh, ow] != [out[0], out[1]] {
        return Err(r.damaged(format!(
            "window output {oh}×{ow}, file says {}×{}",
            out[0], out[1]
        )));
    }
    Ok(Window {
        kh,
        kw,
        sh,
        sw,
        pad_t,
        pad_l,
    })
}

impl Graph {
    /// Parses a `.tflite` flatbuffer; `model` names it in errors.
    pub fn parse(bytes: &[u8], model: &'static str) -> Result<Graph, ModelError> {
        let damaged = |d: &str| ModelError::Damaged {
            model,
            detail: d.into(),
        };
        if bytes.get(4..8) != Some(b"TFL3") {
            return Err(damaged("no TFL3 identifier"));
        }
        let root = Table::root(bytes).ok_or_else(|| damaged("no root table"))?;
        let codes = root.vector(1).ok_or_else(|| damaged("no operator codes"))?;
        let sub = root
            .vector(2)
            .and_then(|v| v.table(0))
            .ok_or_else(|| damaged("no subgraph"))?;
        let tensors = sub.vector(0).ok_or_else(|| damaged("no tensors"))?;
        let buffers = root.vector(4).ok_or_else(|| damaged("no buffers"))?;
        let mut r = Reader {
            model,
            buffers,
            tensors,
            consts: Vec::new(),
        };
        let n = tensors.len();
        let mut shapes = Vec::with_capacity(n);
        for i in 0..n {
            let dims = r
                .tensor(i)?
                .vector(0)
                .and_then(|v| v.i32s())
                .unwrap_or_default();
            let dims: Vec<usize> = dims.iter().map(|&d| d.max(0) as usize).collect();
            if dims.contains(&0) {
                return Err(
                    r.unsupported(format!("tensor {i} has an empty or dynamic shape {dims:?}"))
                );
            }
            let len = dims
                .iter()
                .try_fold(1usize, |a, &d| a.checked_mul(d))
                .ok_or_else(|| damaged("tensor too large"))?;
            r.consts.push(r.load_const(i, len)?);
            shapes.push(dims);
        }
        let ints = |v: Option<Vector>| {
            v.and_then(|v| v.i32s())
                .ok_or_else(|| damaged("bad index list"))
        };
        let input = match ints(sub.vector(1))?[..] {
            [i] => i as usize,
            _ => return Err(r.unsupported("expected one input")),
        };
        let outputs: Vec<usize> = ints(sub.vector(2))?.iter().map(|&i| i as usize).collect();
        let op_list = sub.vector(3).ok_or_else(|| damaged("no operators"))?;
        let mut ops = Vec::new();
        for k in 0..op_list.len() {
            let op = op_list
                .table(k)
                .ok_or_else(|| damaged("operator unreadable"))?;
            let code = codes
                .table(op.i32(0, 0) as usize)
                .ok_or_else(|| damaged("bad opcode index"))?;
            let code = i32::from(code.u8(0, 0)).max(code.i32(3, 0));
            let ins = ints(op.vector(1))?;
            let outs = ints(op.vector(2))?;
            let (&out, &in0) = (
                outs.first().ok_or_else(|| damaged("op without output"))?,
                ins.first().ok_or_else(|| damaged("op without input"))?,
            );
            let (out, in0) = (out as usize, in0 as usize);
            if out >= n || ins.iter().any(|&i| i >= n as i32) {
                return Err(damaged("tensor index out of range"));
            }
            if code == DEQUANTIZE {
                let v = r.consts[in0]
                    .clone()
                    .ok_or_else(|| r.unsupported("DEQUANTIZE of a non-constant"))?;
                r.consts[out] = Some(v);
                continue;
            }
            let opts = op.table(4);
            let opt = || opts.ok_or_else(|| damaged("operator options missing"));
            let act_field = |id: usize| act_of(opts.map_or(0, |o| o.u8(id, 0)), &r);
            let kernel = match code {
                CONV_2D => {
                    let (i, o) = (hwc(&shapes[in0], &r)?, hwc(&shapes[out], &r)?);
                    let ws = &shapes[ins[1] as usize];
                    let [oc, kh, kw, ic] = ws[..] else {
                        return Err(r.unsupported("conv filter not 4-D"));
                    };
                    if ic != i[2] || oc != o[2] || opt()?.i32(4, 1) != 1 || opt()?.i32(5, 1) != 1 {
                        return Err(r.unsupported("conv channels or dilation"));
                    }
                    let win = window(&opt()?, kh, kw, i, o, &r)?;
                    let k = kh * kw * ic;
                    let w = kernels::pack_weights(r.constant(ins[1], "conv filter")?, oc, k);
                    let mut bias = match ins.get(2) {
                        Some(&b) if b >= 0 => r.constant(b, "conv bias")?.to_vec(),
                        _ => vec![0.0; oc],
                    };
                    if bias.len() != oc {
                        return Err(r.damaged("conv bias length"));
                    }
                    bias.resize(oc.div_ceil(NB) * NB, 0.0);
                    let direct = kh == 1 && kw == 1 && win.sh == 1 && win.sw == 1;
                    Kernel::Conv {
                        win,
                        k,
                        w,
                        bias,
                        act: act_field(3)?,
                        direct,
                    }
                }
                DEPTHWISE_CONV_2D => {
                    let (i, o) = (hwc(&shapes[in0], &r)?, hwc(&shapes[out], &r)?);
                    let [1, kh, kw, c] = shapes[ins[1] as usize][..] else {
                        return Err(r.unsupported("depthwise filter shape"));
                    };
                    if c != i[2] || c != o[2] || opt()?.i32(5, 1) != 1 || opt()?.i32(6, 1) != 1 {
                        return Err(r.unsupported("depthwise multiplier or dilation"));
                    }
                    let win = window(&opt()?, kh, kw, i, o, &r)?;
                    let w = r.constant(ins[1], "depthwise filter")?.to_vec();
                    let bias = match ins.get(2) {
                        Some(&b) if b >= 0 => r.constant(b, "depthwise bias")?.to_vec(),
                        _ => vec![0.0; c],
                    };
                    if bias.len() != c {
                        return Err(r.damaged("depthwise bias length"));
                    }
                    Kernel::Depthwise {
                        win,
                        w,
                        bias,
                        act: act_field(4)?,
                    }
                }
                ADD => {
                    if shapes[in0] != shapes[ins[1] as usize] || shapes[in0] != shapes[out] {
                        return Err(r.unsupported("ADD with broadcasting"));
                    }
                    Kernel::Add(act_field(0)?)
                }
                PRELU => {
                    let alpha = r.constant(ins[1], "PReLU slope")?.to_vec();
                    if shapes[in0].last() != Some(&alpha.len()) {
                        return Err(r.unsupported("PReLU slope not per channel"));
                    }
                    Kernel::Prelu(alpha)
                }
                RELU => Kernel::Relu,
                MAX_POOL_2D => {
                    let (i, o) = (hwc(&shapes[in0], &r)?, hwc(&shapes[out], &r)?);
                    let o_ = opt()?;
                    let (fw, fh) = (o_.i32(3, 1).max(1) as usize, o_.i32(4, 1).max(1) as usize);
                    act_field(5)?;
                    if i[2] != o[2] {
                        return Err(r.damaged("MAX_POOL_2D channels"));
                    }
                    Kernel::MaxPool(window(&o_, fh, fw, i, o, &r)?)
                }
                PAD => {
                    let p = r.ints(ins[1] as usize)?;
                    let p: Vec<usize> = p.iter().map(|&v| v.max(0) as usize).collect();
                    if p.len() != 8 || p[0] != 0 || p[1] != 0 {
                        return Err(r.unsupported("PAD must be 4-D without batch padding"));
                    }
                    let (i, o) = (hwc(&shapes[in0], &r)?, hwc(&shapes[out], &r)?);
                    if o != [i[0] + p[2] + p[3], i[1] + p[4] + p[5], i[2] + p[6] + p[7]] {
                        return Err(r.damaged("PAD output shape"));
                    }
                    Kernel::Pad([[p[2], p[3]], [p[4], p[5]], [p[6], p[7]]])
                }
                RESHAPE => Kernel::Reshape,
                CONCATENATION => {
                    let s = &shapes[out];
                    let axis = opt()?.i32(0, 0);
                    let axis = if axis < 0 {
                        axis + s.len() as i32
                    } else {
                        axis
                    } as usize;
                    if axis >= s.len() {
                        return Err(damaged("concat axis"));
                    }
                    act_field(1)?;
                    let outer = s[..axis].iter().product();
                    let inners = ins
                        .iter()
                        .map(|&t| shapes[t as usize][axis..].iter().product())
                        .collect();
                    Kernel::Concat { outer, inners }
                }
                c => return Err(r.unsupported(format!("operator code {c}"))),
            };
            let count = |t: usize| shapes[t].iter().product::<usize>();
            let same_size = matches!(
                kernel,
                Kernel::Add(_) | Kernel::Prelu(_) | Kernel::Relu | Kernel::Reshape
            );
            if same_size && count(in0) != count(out) {
                return Err(r.damaged("element counts of input and output differ"));
            }
            // Activation inputs only: constants were folded into the kernel above.
            let inputs = match kernel {
                Kernel::Add(_) | Kernel::Concat { .. } => ins.iter().map(|&i| i as usize).collect(),
                _ => vec![in0],
            };
            if inputs.iter().any(|&i| r.consts[i].is_some()) {
                return Err(r.unsupported("constant activation input"));
            }
            ops.push(Op {
                kernel,
                inputs,
                output: out,
            });
        }
        let mut last_use = vec![0; n];
        for (k, op) in ops.iter().enumerate() {
            op.inputs.iter().for_each(|&i| last_use[i] = k);
        }
        outputs.iter().for_each(|&o| last_use[o] = usize::MAX);
        Ok(Graph {
            ops,
            shapes,
            input,
            outputs,
            last_use,
        })
    }

    /// Shape of the input tensor.
    pub fn input_shape(&self) -> &[usize] {
        &self.shapes[self.input]
    }

    /// Shapes of the output tensors, in the file's output order.
    pub fn output_shapes(&self) -> Vec<&[usize]> {
        self.outputs.iter().map(|&o| &self.shapes[o][..]).collect()
    }

    /// Runs the graph on one input tensor (NHWC f32); returns the outputs in the file's
    /// order, or empty outputs if the input's length does not fit the model.
    pub fn run(&self, input: Vec<f32>) -> Vec<Vec<f32>> {
        if input.len() != self.shapes[self.input].iter().product::<usize>() {
            return vec![Vec::new(); self.outputs.len()];
        }
        let mut vals: Vec<Option<Vec<f32>>> = vec![None; self.shapes.len()];
        vals[self.input] = Some(input);
        for (k, op) in self.ops.iter().enumerate() {
            let x = vals[op.inputs[0]].as_deref().unwrap_or(&[]);
            let shape_in = &self.shapes[op.inputs[0]];
            let [ih, iw, ic] = match shape_in[..] {
                [1, h, w, c] => [h, w, c],
                _ => [0, 0, 0],
            };
            let out_len: usize = self.shapes[op.output].iter().product();
            let [oh, ow, _] = match self.shapes[op.output][..] {
                [1, h, w, c] => [h, w, c],
                _ => [0, 0, 0],
            };
            let y = match &op.kernel {
                Kernel::Conv {
                    win,
                    k,
                    w,
                    bias,
                    act,
                    direct,
                } => {
                    let mut y = vec![0.0; out_len];
                    let oc = out_len / (oh * ow);
                    if *direct {
                        kernels::gemm(x, *k, w, bias, oc, &mut y);
                    } else {
                        let cols = kernels::im2col(x, ih, iw, ic, win, oh, ow);
                        kernels::gemm(&cols, *k, w, bias, oc, &mut y);
                    }
                    act.apply(&mut y);
                    y
                }
                Kernel::Depthwise { win, w, bias, act } => {
                    let mut y = vec![0.0; out_len];
                    kernels::depthwise(x, ih, iw, ic, w, bias, win, oh, ow, &mut y);
                    act.apply(&mut y);
                    y
                }
                Kernel::MaxPool(win) => {
                    let mut y = vec![0.0; out_len];
                    kernels::max_pool(x, ih, iw, ic, win, oh, ow, &mut y);
                    y
                }
                Kernel::Pad(p) => kernels::pad(x, ih, iw, ic, *p),
                Kernel::Add(act) => {
                    let mut y = self.take_or_copy(&mut vals, op.inputs[0], k);
                    let b = vals[op.inputs[1]].as_deref().unwrap_or(&[]);
                    kernels::add(&mut y, b, *act);
                    y
                }
                Kernel::Prelu(alpha) => {
                    let mut y = self.take_or_copy(&mut vals, op.inputs[0], k);
                    kernels::prelu(&mut y, alpha);
                    y
                }
                Kernel::Relu => {
                    let mut y = self.take_or_copy(&mut vals, op.inputs[0], k);
                    Act::Relu.apply(&mut y);
                    y
                }
                Kernel::Reshape => self.take_or_copy(&mut vals, op.inputs[0], k),
                Kernel::Concat { outer, inners } => {
                    let mut y = Vec::with_capacity(out_len);
                    for o in 0..*outer {
                        for (&t, &n) in op.inputs.iter().zip(inners) {
                            y.extend_from_slice(
                                &vals[t].as_deref().unwrap_or(&[])[o * n..(o + 1) * n],
                            );
                        }
                    }
                    y
                }
            };
            vals[op.output] = Some(y);
            for &i in &op.inputs {
                if self.last_use[i] == k {
                    vals[i] = None;
                }
            }
        }
        self.outputs
            .iter()
            .map(|&o| vals[o].take().unwrap_or_default())
            .collect()
    }

    /// The tensor's values, moved out if op `k` is its last reader, else copied.
    fn take_or_copy(&self, vals: &mut [Option<Vec<f32>>], t: usize, k: usize) -> Vec<f32> {
        if self.last_use[t] == k {
            vals[t].take().unwrap_or_default()
        } else {
            vals[t].clone().unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::f16_to_f32;

    #[test]
    fn f16_decodes() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
    }
}
