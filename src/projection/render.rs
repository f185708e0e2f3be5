//! Projection renderer: removes a fraction of each lesion's excess in optical density and
//! rebuilds RGB with the inverse model. Pixels outside every map are never touched.
//!
//! Only pixels with a non-zero removable amount are stored ("active"), so a frame costs
//! time in proportion to the lesions, not the photo.

use crate::analysis::{Analysis, LesionKind};
use crate::maths::planes::Plane;
use crate::maths::stats;
use crate::photo::colour::{self, ItaCategory};
use crate::photo::Photo;
use crate::skin::chromophores::{density_lut, Unmixing};
use serde::{Deserialize, Serialize};

/// Fraction (0..1) of the lesion excess to remove, per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Fractions {
    /// Melanin excess (spots, PIH, melasma).
    pub pigment: f32,
    /// Hemoglobin excess (redness).
    pub redness: f32,
    /// Scar-scale shading relief (pits and raised scars).
    pub texture: f32,
}

impl Fractions {
    /// Clamps each fraction to 0..1, mapping NaN to 0.
    pub fn clamped(self) -> Self {
        let c = |v: f32| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        Self {
            pigment: c(self.pigment),
            redness: c(self.redness),
            texture: c(self.texture),
        }
    }
}

/// Precomputed removable amounts per active pixel.
#[derive(Debug, Clone)]
pub struct Projector {
    active: Vec<u32>,
    melanin: Vec<f32>,
    hemoglobin: Vec<f32>,
    shading: Vec<f32>,
    m: [f32; 3],
    h: [f32; 3],
}

/// One colour map's removal, as smooth planes at the working resolution.
///
/// Inside a lesion the smooth excess is removed, so the pixel keeps its own fine texture
/// and grain; across the lesion's edge, where smoothing would leave a rim or a halo, the
/// pixel's own excess over the baseline is removed instead.
struct ColourRemoval {
    /// The numbers it was built with.
    p: RenderParams,
    /// Per working pixel, packed so one bilinear fetch reads all four: the rendering
    /// weight; weight × baseline; weight × smooth excess (≥ 0); and 1 on the lesion
    /// contour, falling to 0 a few pixels either side.
    packed: Vec<[f32; 4]>,
}

impl ColourRemoval {
    fn new(map: &crate::lesions::maps::LesionMap, p: RenderParams) -> Self {
        let (w, h) = (map.soft.width, map.soft.height);
        let mut edge = Plane::from_vec(w, h, map.mask.iter().map(|&m| m as u8 as f32).collect());
        edge.blur(p.edge_sigma);
        let packed = (0..w * h)
            .map(|i| {
                let weight = map.soft.data[i];
                let inside = edge.data[i];
                let e = (2.0 - 2.0 * (2.0 * inside - 1.0).abs()).clamp(0.0, 1.0);
                [
                    weight,
                    weight * map.baseline.data[i],
                    // Outside the contour the smooth excess is only the lesion's blur
                    // spilling over: removing it would leave a light ring.
                    weight * map.excess.data[i].max(0.0) * (2.0 * inside).min(1.0),
                    if e < p.edge_floor { 0.0 } else { e },
                ]
            })
            .collect();
        Self { p, packed }
    }

    /// Inside a lesion, off its contour: the pixel's own excess minus the smooth excess,
    /// which is its grain alone.
    #[inline]
    fn grain_at(&self, at: &Taps, own: impl FnOnce() -> f32) -> Option<f32> {
        let [weight, base, smooth, edge] = at.sample4(&self.packed);
        (weight >= self.p.full_weight && edge == 0.0).then(|| weight * own() - base - smooth)
    }

    /// Density to remove at full strength: the smooth excess, plus across the contour
    /// the detail beyond [`RenderParams::grain_kept`] × `grain` (soft-thresholded, so grain survives).
    /// `own` (the pixel's value) is only computed across the contour.
    #[inline]
    fn remove(&self, at: &Taps, own: impl FnOnce() -> f32, grain: f32) -> f32 {
        let [weight, base, smooth, edge] = at.sample4(&self.packed);
        if weight == 0.0 {
            return 0.0; // the weighted terms are 0 wherever the weight is
        }
        if edge == 0.0 {
            return smooth;
        }
        let d = weight * own() - base - smooth;
        let t = self.p.grain_kept * grain * weight;
        smooth + edge * d.signum() * (d.abs() - t).max(0.0)
    }
}

/// The renderer's tuning numbers; [`RenderParams::DEFAULT`] is what the page and the CLI use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderParams {
    /// Melanin grain kept across a spot's contour, in robust standard deviations.
    /// Chosen by hand; not measured.
    pub grain_kept: f32,
    /// Half-width, in working pixels, of the band around a lesion contour where a pixel's
    /// own excess is removed. Chosen by hand; not measured.
    pub edge_sigma: f32,
    /// Contour weight under which a pixel counts as off the contour.
    pub edge_floor: f32,
    /// Rendering weight from which a pixel counts as inside a lesion (for the grain).
    pub full_weight: f32,
    /// Every this-many rows of lesion pixels the grain is measured on: enough for a median.
    pub grain_row_step: usize,
    /// Fewest pixels the grain is measured from (0 grain below). Chosen by hand; not measured.
    pub min_grain_samples: usize,
}

impl RenderParams {
    /// The defaults.
    pub const DEFAULT: RenderParams = RenderParams {
        grain_kept: 0.5,
        edge_sigma: 1.5,
        edge_floor: 0.01,
        full_weight: 0.99,
        grain_row_step: 4,
        min_grain_samples: 50,
    };
}

impl Default for RenderParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The analysis maps folded into the few smooth planes a projection samples, at the
/// working resolution.
struct RemovalPlanes {
    pigment: ColourRemoval,
    redness: ColourRemoval,
    /// Weighted relief to remove (pits positive, raised negative).
    relief: Plane,
    /// Hemoglobin with its noise cancelled: a pixel's value across a red lesion's contour.
    hemoglobin_detail: Plane,
    /// Working pixels any map touches.
    touched: Vec<bool>,
}

impl RemovalPlanes {
    fn new(a: &Analysis, p: RenderParams) -> Self {
        let (ww, wh) = (a.pits().soft.width, a.pits().soft.height);
        let pits = a.pit_relief();
        let (pits, raised) = (&pits, &a.raised().excess);
        let relief = (0..ww * wh)
            .map(|i| {
                a.pits().soft.data[i] * pits.data[i].max(0.0)
                    + a.raised().soft.data[i] * raised.data[i].min(0.0)
            })
            .collect();
        let touched = (0..ww * wh)
            .map(|i| {
                a.pigment().soft.data[i] > 0.0
                    || a.redness().soft.data[i] > 0.0
                    || a.pits().soft.data[i] > 0.0
                    || a.raised().soft.data[i] > 0.0
            })
            .collect();
        Self {
            pigment: ColourRemoval::new(a.pigment(), p),
            redness: ColourRemoval::new(a.redness(), p),
            relief: Plane::from_vec(ww, wh, relief),
            hemoglobin_detail: a.hemoglobin_detail().clone(),
            touched,
        }
    }
}

/// Everything a projection of one analysis onto one target size needs besides the
/// fractions: built once, so a full-resolution render on each slider release streams
/// pixels only.
pub struct Removal {
    planes: RemovalPlanes,
    grid: Sampler,
    grain: Grain,
    unmix: Unmixing,
    density: &'static [f32; 256],
    m: [f32; 3],
    h: [f32; 3],
}

impl Removal {
    /// Prepares the removal of `a`'s lesions from `target` (the analysed photo or a
    /// resized copy of it).
    pub fn new(a: &Analysis, target: &Photo) -> Self {
        Self::with_params(a, target, RenderParams::DEFAULT)
    }

    /// [`Removal::new`] with the given parameters.
    pub fn with_params(a: &Analysis, target: &Photo, p: RenderParams) -> Self {
        let planes = RemovalPlanes::new(a, p);
        let unmix = Unmixing::new(&a.chrom().vectors);
        let grid = Sampler::new(a, target);
        let density = density_lut();
        let grain = Grain::measure(&planes, &grid, p, &|i| {
            own_density(&unmix, density, target, i)[0]
        });
        Self {
            planes,
            grid,
            grain,
            unmix,
            density,
            m: a.removal_directions()[0],
            h: a.removal_directions()[1],
        }
    }

    /// Calls `visit(i, dm, dh, ds)` for every pixel `i` of `target` with something to
    /// remove: melanin, hemoglobin and shading density at full removal.
    ///
    /// `target` is the analysed photo at its own size or any resized copy of it (a
    /// display-size preview); the maps are sampled bilinearly onto it. Colour lesions remove
    /// their smooth excess, and the pixel's own excess across their contour (see
    /// [`ColourRemoval`]), so a spot returns to its surroundings without a halo and its
    /// skin keeps its grain. Pits are filled from an opened shading (see [`Analysis::pit_relief`]), so
    /// pores stay.
    fn for_each(&self, target: &Photo, mut visit: impl FnMut(usize, f32, f32, f32)) {
        let planes = &self.planes;
        self.grid.scan(&planes.touched, 1, |i, at| {
            let own_melanin = || own_density(&self.unmix, self.density, target, i)[0];
            let dm = planes.pigment.remove(at, own_melanin, self.grain.melanin);
            let detail = || at.sample(&planes.hemoglobin_detail);
            let dh = planes.redness.remove(at, detail, 0.0);
            let ds = at.sample(&planes.relief);
            if dm != 0.0 || dh != 0.0 || ds != 0.0 {
                visit(i, dm, dh, ds);
            }
        });
    }

    /// Renders the projection of `photo` (the target this was built for) into `out`,
    /// which must hold `photo`'s pixels, in one streaming pass that stores nothing.
    pub fn render(&self, photo: &Photo, out: &mut [u8], f: Fractions) {
        let f = f.clamped();
        let k = Kernel::new(self.m, self.h);
        let src = photo.rgba();
        self.for_each(photo, |i, dm, dh, ds| {
            let o = i * 4;
            let d = [f.pigment * dm, f.redness * dh, f.texture * ds];
            project_pixel(&src[o..o + 3], &mut out[o..o + 3], d, &k);
        });
    }
}

/// Melanin, hemoglobin and shading of one target pixel.
#[inline]
fn own_density(unmix: &Unmixing, density: &[f32; 256], target: &Photo, i: usize) -> [f32; 3] {
    let px = &target.rgba()[i * 4..i * 4 + 3];
    unmix.apply([
        density[px[0] as usize],
        density[px[1] as usize],
        density[px[2] as usize],
    ])
}

/// Robust per-pixel spread of the target's melanin around its smooth excess inside spots
/// (grain, fine texture, compression noise): the part of a pixel's own excess that is
/// kept across a spot's contour.
struct Grain {
    melanin: f32,
}

impl Grain {
    fn measure(
        planes: &RemovalPlanes,
        grid: &Sampler,
        p: RenderParams,
        melanin: &impl Fn(usize) -> f32,
    ) -> Self {
        let mut m = Vec::new();
        grid.scan(&planes.touched, p.grain_row_step, |i, at| {
            m.extend(planes.pigment.grain_at(at, || melanin(i)));
        });
        let spread = |mut v: Vec<f32>| {
            if v.len() < p.min_grain_samples {
                return 0.0;
            }
            for x in v.iter_mut() {
                *x = x.abs();
            }
            stats::MAD_TO_SIGMA * stats::median(&mut v)
        };
        Self { melanin: spread(m) }
    }
}

/// Writes one projected pixel: scales each linear channel by exp(removed density).
#[inline]
fn project_pixel(src: &[u8], dst: &mut [u8], d: [f32; 3], k: &Kernel) {
    for c in 0..3 {
        let gain = k.exp.at(d[0] * k.m[c] + d[1] * k.h[c] + d[2]);
        dst[c] = k.encode.encode(k.decode[src[c] as usize] * gain);
    }
}

/// What [`project_pixel`] needs, fetched once per frame.
struct Kernel {
    m: [f32; 3],
    h: [f32; 3],
    decode: &'static [f32; 256],
    encode: colour::Srgb8Encoder,
    exp: &'static ExpTable,
}

impl Kernel {
    fn new(m: [f32; 3], h: [f32; 3]) -> Self {
        Self {
            m,
            h,
            decode: colour::srgb8_to_linear_lut(),
            encode: colour::Srgb8Encoder::get(),
            exp: ExpTable::get(),
        }
    }
}

/// e^x by linear interpolation in a table (steps of 1/512 over ±8: relative error about
/// 1e-6, far under one 8-bit code), exact at 0 so a zero edit is the identity. In WASM
/// it is several times cheaper than `f32::exp`, which is computed in software there.
struct ExpTable {
    values: Vec<f32>,
}

impl ExpTable {
    const RANGE: f32 = 8.0;
    const STEPS_PER_UNIT: f32 = 512.0;

    fn get() -> &'static Self {
        static TABLE: std::sync::OnceLock<ExpTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let n = (2.0 * Self::RANGE * Self::STEPS_PER_UNIT) as usize;
            let values = (0..=n + 1)
                .map(|i| {
                    ((i as f64 / Self::STEPS_PER_UNIT as f64) - Self::RANGE as f64).exp() as f32
                })
                .collect();
            ExpTable { values }
        })
    }

    #[inline]
    fn at(&self, x: f32) -> f32 {
        if !(x > -Self::RANGE && x < Self::RANGE) {
            return x.exp();
        }
        let p = (x + Self::RANGE) * Self::STEPS_PER_UNIT;
        let i = p as usize;
        let t = p - i as f32;
        let (a, b) = (self.values[i], self.values[i + 1]);
        a + (b - a) * t
    }
}

/// Renders a projection of `photo` into `out` (which must hold `photo`'s pixels) in one
/// streaming pass, storing nothing: for a full-resolution export or a slider release.
pub fn render_direct(a: &Analysis, photo: &Photo, out: &mut [u8], f: Fractions) {
    Removal::new(a, photo).render(photo, out, f);
}

/// Long side, in pixels, of the preview rendered while a slider moves: about a laptop
/// display's width for the image, so a frame costs the same for any photo size.
pub const PREVIEW_LONG_SIDE: u32 = 1024;

/// Integer factor from a photo to its slider preview (1 = the photo is small enough).
pub fn preview_scale(width: u32, height: u32) -> u32 {
    width.max(height).div_ceil(PREVIEW_LONG_SIDE).max(1)
}

impl Projector {
    /// Collects, for every pixel of `target` any map touches, how much density each
    /// channel may remove (see `Removal::for_each`), so each frame is one cheap pass.
    pub fn new(a: &Analysis, target: &Photo) -> Self {
        let mut p = Projector {
            active: Vec::new(),
            melanin: Vec::new(),
            hemoglobin: Vec::new(),
            shading: Vec::new(),
            m: a.removal_directions()[0],
            h: a.removal_directions()[1],
        };
        Removal::new(a, target).for_each(target, |i, dm, dh, ds| {
            p.active.push(i as u32);
            p.melanin.push(dm);
            p.hemoglobin.push(dh);
            p.shading.push(ds);
        });
        p
    }

    /// Number of pixels a projection may change.
    pub fn active_pixels(&self) -> usize {
        self.active.len()
    }

    /// Writes the projection into `out`, which must already hold `photo`'s pixels outside
    /// the active set (e.g. a copy made once); active pixels are rewritten every call.
    pub fn render_into(&self, photo: &Photo, out: &mut [u8], f: Fractions) {
        let f = f.clamped();
        let src = photo.rgba();
        let kernel = Kernel::new(self.m, self.h);
        for (k, &i) in self.active.iter().enumerate() {
            let o = i as usize * 4;
            let d = [
                f.pigment * self.melanin[k],
                f.redness * self.hemoglobin[k],
                f.texture * self.shading[k],
            ];
            project_pixel(&src[o..o + 3], &mut out[o..o + 3], d, &kernel);
        }
    }

    /// A fresh projected copy of `photo`.
    pub fn render(&self, photo: &Photo, f: Fractions) -> Vec<u8> {
        let mut out = photo.rgba().to_vec();
        self.render_into(photo, &mut out, f);
        out
    }
}

/// Bilinear taps from a target grid onto the working grid, pixel centres aligned.
struct Sampler {
    xs: Vec<(usize, usize, f32)>,
    ys: Vec<(usize, usize, f32)>,
    working_width: usize,
    target_width: usize,
}

/// The four working-grid taps of one target pixel.
struct Taps {
    i00: usize,
    i01: usize,
    i10: usize,
    i11: usize,
    tx: f32,
    ty: f32,
}

impl Taps {
    /// Four packed values, each bilinear at this pixel.
    #[inline]
    fn sample4(&self, q: &[[f32; 4]]) -> [f32; 4] {
        let (a, b, c, d) = (q[self.i00], q[self.i01], q[self.i10], q[self.i11]);
        std::array::from_fn(|k| {
            let top = a[k] + (b[k] - a[k]) * self.tx;
            let bottom = c[k] + (d[k] - c[k]) * self.tx;
            top + (bottom - top) * self.ty
        })
    }

    /// The plane's bilinear value at this pixel.
    #[inline]
    fn sample(&self, q: &Plane) -> f32 {
        let d = &q.data;
        let top = d[self.i00] + (d[self.i01] - d[self.i00]) * self.tx;
        let bottom = d[self.i10] + (d[self.i11] - d[self.i10]) * self.tx;
        top + (bottom - top) * self.ty
    }
}

impl Sampler {
    /// Taps from `target` (the analysed photo or a resized copy) onto `a`'s working grid.
    fn new(a: &Analysis, target: &Photo) -> Self {
        let (ww, wh) = (a.pits().soft.width, a.pits().soft.height);
        let (tw, th) = (target.width() as usize, target.height() as usize);
        // Photo pixels per target pixel, over photo pixels per working pixel.
        let s = a.scale() as f32;
        let step = (
            a.report().width as f32 / tw as f32 / s,
            a.report().height as f32 / th as f32 / s,
        );
        let axis = |src: usize, dst: usize, step: f32| -> Vec<(usize, usize, f32)> {
            (0..dst)
                .map(|i| crate::maths::planes::interp_index((i as f32 + 0.5) * step - 0.5, src))
                .collect()
        };
        Self {
            xs: axis(ww, tw, step.0),
            ys: axis(wh, th, step.1),
            working_width: ww,
            target_width: tw,
        }
    }

    /// Calls `f(i, taps)` for every target pixel `i` on every `row_step`-th row whose
    /// taps touch a `touched` working pixel.
    fn scan(&self, touched: &[bool], row_step: usize, mut f: impl FnMut(usize, &Taps)) {
        let ww = self.working_width;
        for (y, &(y0, y1, ty)) in self.ys.iter().enumerate().step_by(row_step) {
            let (r0, r1) = (y0 * ww, y1 * ww);
            for (x, &(x0, x1, tx)) in self.xs.iter().enumerate() {
                let taps = Taps {
                    i00: r0 + x0,
                    i01: r0 + x1,
                    i10: r1 + x0,
                    i11: r1 + x1,
                    tx,
                    ty,
                };
                if touched[taps.i00] || touched[taps.i01] || touched[taps.i10] || touched[taps.i11]
                {
                    f(y * self.target_width + x, &taps);
                }
            }
        }
    }
}

/// How one lesion changes in a projection, and whether the change can be seen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct LesionChange {
    /// Lesion id in the analysis report.
    pub id: usize,
    /// Map it came from.
    pub kind: LesionKind,
    /// Mean ΔE00 between the lesion before and after (mean colours).
    pub delta_e00: f64,
    /// Whether that exceeds the 50% perceptibility threshold for this skin class.
    pub visible: bool,
}

/// ΔE00 per lesion between the photo and a projection, with the visibility verdict
/// (thresholds 0.59 light / 1.75 dark skin, Vision Research 2024).
pub fn lesion_changes(a: &Analysis, photo: &Photo, projected: &[u8]) -> Vec<LesionChange> {
    let category = a.report().ita_category.unwrap_or(ItaCategory::Intermediate);
    let threshold = colour::perceptible_delta_e(category);
    let lut = colour::srgb8_to_linear_lut();
    let (w, s) = (photo.width() as usize, a.scale());
    let ww = a.pigment().soft.width;
    let maps = [&a.pigment(), &a.redness(), &a.pits(), &a.raised()];
    let mut out = Vec::new();
    for l in &a.report().lesions {
        let map = maps[l.kind as usize];
        let (mut before, mut after, mut n) = ([0f64; 3], [0f64; 3], 0usize);
        for y in l.bbox[1] as usize..=l.bbox[3] as usize {
            for x in l.bbox[0] as usize..=l.bbox[2] as usize {
                let i = y * w + x;
                if !map.mask[(y / s) * ww + x / s] {
                    continue;
                }
                for c in 0..3 {
                    before[c] += lut[photo.rgba()[i * 4 + c] as usize] as f64;
                    after[c] += lut[projected[i * 4 + c] as usize] as f64;
                }
                n += 1;
            }
        }
        let mean = |v: [f64; 3]| colour::linear_to_lab(v.map(|s| s / n.max(1) as f64));
        let de = colour::delta_e2000(mean(before), mean(after));
        out.push(LesionChange {
            id: l.id,
            kind: l.kind,
            delta_e00: de,
            visible: de >= threshold,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_table_is_exact_at_zero_and_close_elsewhere() {
        let t = ExpTable::get();
        assert_eq!(t.at(0.0), 1.0);
        let mut worst = 0f64;
        for i in -12_000..=12_000 {
            let x = i as f32 * 0.000_77;
            let want = (x as f64).exp();
            worst = worst.max((t.at(x) as f64 - want).abs() / want);
        }
        assert!(worst < 2e-6, "relative error {worst}");
        assert_eq!(
            t.at(9.0),
            9f32.exp(),
            "outside the table: the exact function"
        );
    }
}
