//! `compare`: a follow-up photo against the baseline (issue 16). Arguments in, the
//! comparison's text, JSON and PNGs out; the measuring is `skin_preview::followup`'s.

use crate::{load_profile, open_and_analyze, read, stdout_failure, to_json, Failure};
use skin_preview::followup::{self, CompareOptions, Comparison, PlanQuery};
use skin_preview::session::Session;
use skin_preview::skin::mask::UserMaskMode;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `compare`'s arguments.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// The baseline photo (JPEG, PNG or WebP), analysed as `analyze` does.
    baseline: PathBuf,
    /// The follow-up photo of the same skin.
    followup: PathBuf,
    /// Treatment id (see `treatments`): hold the change against its projected band.
    #[arg(long, requires_all = ["concern", "weeks"])]
    treatment: Option<String>,
    /// Concern id (see `treatments`).
    #[arg(long)]
    concern: Option<String>,
    /// Weeks between the two photos.
    #[arg(long)]
    weeks: Option<f64>,
    /// A clinic's evidence profile (JSON).
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Without a face: three matching points per photo, baseline first,
    /// "x1,y1,x2,y2,x3,y3;x1,y1,x2,y2,x3,y3" (photo pixels).
    #[arg(long)]
    points: Option<String>,
    /// Write the comparison as JSON to this file ("-" for standard output).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write registered.png (the follow-up in the baseline's frame, its light matched)
    /// and change.png (less melanin teal, more orange) into this folder.
    #[arg(long)]
    maps: Option<PathBuf>,
}

/// Runs `compare`.
pub fn run(args: &CompareArgs) -> Result<(), Failure> {
    let profile = load_profile(args.profile.as_deref())?;
    let points = match &args.points {
        Some(p) => Some(followup::parse_points(p).map_err(|e| e.to_string())?),
        None => None,
    };
    let plan = match (&args.treatment, &args.concern, args.weeks) {
        (Some(t), Some(c), Some(w)) => {
            if !(0.0..=104.0).contains(&w) {
                return Err(format!("--weeks {w} is outside 0–104").into());
            }
            Some(PlanQuery {
                treatment: t.clone(),
                concern: c.clone(),
                weeks: w,
            })
        }
        _ => None,
    };
    let baseline = open_and_analyze(&args.baseline, None::<(&Path, UserMaskMode)>, None)?;
    let mut follow = Session::open(&read(&args.followup)?)
        .map_err(|e| format!("{}: {e}", args.followup.display()))?;
    follow.set_face(skin_preview::skin::face::cli::pass(follow.photo()));
    let compared = baseline
        .compare(&follow, &CompareOptions { points, plan }, &profile)
        .map_err(|e| e.to_string())?;
    if let Some(dir) = &args.maps {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (w, h) = compared.size();
        let save = |name: &str, rgba: Vec<u8>| -> Result<(), String> {
            let path = dir.join(name);
            image::save_buffer(&path, &rgba, w, h, image::ExtendedColorType::Rgba8)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        save(
            "registered.png",
            compared.registered_rgba(follow.photo(), w, h),
        )?;
        save("change.png", compared.change_map_rgba(w, h))?;
    }
    let r = &compared.report;
    match &args.json {
        Some(p) if p == Path::new("-") => out!("{}", to_json(r)?),
        Some(p) => std::fs::write(p, to_json(r)?)
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        None => {}
    }
    if args.json.as_deref().is_none_or(|p| p != Path::new("-")) {
        print_text(r)?;
    }
    Ok(())
}

fn fraction(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.2}"))
}

fn print_text(r: &Comparison) -> Result<(), Failure> {
    let g = &r.registration;
    out!(
        "registration: {}, residual {:.2} px (baseline), scale {:.3}, rotation {:.1}°{}",
        match g.method {
            followup::Method::Mesh => "face mesh",
            followup::Method::Points => "three points",
        },
        g.residual_px,
        g.scale,
        g.rotation_deg,
        if g.refined {
            ", refined on the image"
        } else {
            ""
        }
    );
    let p = &r.photometric;
    out!(
        "light:        gains R {:.3} G {:.3} B {:.3} (exposure {:+.2} EV, red/blue {:.3})",
        p.gain[0],
        p.gain[1],
        p.gain[2],
        p.exposure_ev,
        p.white_balance_log_ratio.exp()
    );
    let s = &r.summary;
    out!(
        "lesions:      {} ({} measured)",
        s.lesions_total,
        s.lesions_measured
    );
    for l in &r.lesions {
        out!(
            "  #{:<3} {:<8} at ({:.0}, {:.0})  area {} → {} px  ΔE00 {} → {}  removed {}{}",
            l.id,
            format!("{:?}", l.kind).to_lowercase(),
            l.centroid[0],
            l.centroid[1],
            l.area_px_baseline,
            l.area_px_followup.map_or("—".into(), |a| a.to_string()),
            fraction(l.contrast_de00_baseline),
            fraction(l.contrast_de00_followup),
            fraction(l.fraction_removed),
            l.note
                .as_deref()
                .map_or(String::new(), |n| format!(" ({n})"))
        );
    }
    out!(
        "removed:      pigment {}, redness {}, texture {} (area-weighted)",
        fraction(s.pigment_fraction_removed),
        fraction(s.redness_fraction_removed),
        fraction(s.texture_fraction_removed)
    );
    out!(
        "aMASI-like:   {:.2} → {:.2} (area × darkness on the baseline outlines; not mMASI)",
        s.a_masi_like_baseline,
        s.a_masi_like_followup
    );
    for z in &r.zones {
        out!(
            "  zone {:<20} aMASI-like {:.2} → {:.2}, removed pigment {}, redness {}, texture {}",
            z.name,
            z.a_masi_like_baseline,
            z.a_masi_like_followup,
            fraction(z.pigment_fraction_removed),
            fraction(z.redness_fraction_removed),
            fraction(z.texture_fraction_removed)
        );
    }
    if let Some(pr) = &r.projection {
        out!(
            "projection:   {} for {} at week {:.0}{}",
            pr.treatment,
            pr.concern,
            pr.weeks,
            if pr.extrapolated {
                " (past the last cited week)"
            } else {
                ""
            }
        );
        for c in &pr.channels {
            out!(
                "  {:<8} measured {:.2}, band {:.2}–{:.2} (typical {:.2}): {}",
                c.channel.as_str(),
                c.measured,
                c.low,
                c.high,
                c.typical,
                format!("{:?}", c.verdict).to_lowercase()
            );
        }
        if pr.channels.is_empty() {
            out!("  no lesion of a channel this plan acts on was measured");
        }
        out!("note:         {}", pr.note);
    }
    for w in &r.warnings {
        out!("warning:      {w}");
    }
    Ok(())
}
