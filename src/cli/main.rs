//! `skin-preview` command line: the same engine as the page, for files on disk. A thin
//! adapter over [`skin_preview::session`]: arguments in, text, JSON and PNG files out.

mod maps;

use clap::{Parser, Subcommand};
use serde::Serialize;
use skin_preview::analysis;
use skin_preview::evidence::{self, Profile, Scenario};
use skin_preview::photo::decode::{self, DecodeInfo};
use skin_preview::photo::{ColourSummary, Photo};
use skin_preview::projection::plan::PlanRequest;
use skin_preview::projection::render::{Fractions, LesionChange};
use skin_preview::session::{AnalyzeRequest, PlanResult, Session};
use skin_preview::skin::mask::UserMaskMode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why a command stopped.
enum Failure {
    /// A message for people, printed as one line on standard error.
    Message(String),
    /// Standard output was closed (e.g. `| head`): stop quietly, like other tools.
    BrokenPipe,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Message(message.to_string())
    }
}

fn stdout_failure(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Message(format!("cannot write to standard output: {e}"))
    }
}

/// `eprintln!` that never panics (stderr may be closed too).
macro_rules! eline {
    ($($arg:tt)*) => {
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    };
}

/// `println!` that returns an error instead of panicking when stdout is closed.
macro_rules! out {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(stdout_failure)?
    };
}

mod compare;

/// Skin analysis and evidence-linked outcome projection, offline.
#[derive(Parser)]
#[command(name = "skin-preview", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print size, orientation, mean Lab, ITA° and its category.
    Info {
        /// JPEG, PNG or WebP photo.
        photo: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List treatments, concerns, evidence curves, grades and citations.
    Treatments {
        /// A clinic's evidence profile (JSON) instead of the built-in one.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// Print the profile as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Render the expected look after a treatment (or with manual fractions) to a PNG.
    Project(ProjectArgs),
    /// Find skin, pigment, redness and scar relief; print scores and the lesion list.
    Analyze {
        /// JPEG, PNG or WebP photo.
        photo: PathBuf,
        /// PNG mask, white = skin to analyse.
        #[arg(long)]
        mask: Option<PathBuf>,
        /// How the mask combines with the automatic one: narrow (both must agree) or
        /// replace (the mask as it is, as the page's brush does).
        #[arg(long, default_value = "narrow", value_parser = parse_mask_mode)]
        mask_mode: UserMaskMode,
        /// Write the full report as JSON to this file ("-" for standard output).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the maps as 8-bit PNGs into this folder; with a face, also zones.png:
        /// 0 none, 40 forehead, 80 left cheek, 120 right cheek, 160 nose, 200 chin,
        /// 240 around the mouth (the subject's left and right).
        #[arg(long)]
        maps: Option<PathBuf>,
        /// A white or grey reference pixel "X,Y" for colour normalization.
        #[arg(long, value_parser = parse_point)]
        white: Option<(u32, u32)>,
    },
    /// Register a follow-up photo to the baseline, measure each lesion's change and, with
    /// a plan, hold it against the projected band.
    Compare(compare::CompareArgs),
    /// Find the largest face: score, width, roll, yaw and the 468 mesh points.
    Face {
        /// JPEG, PNG or WebP photo.
        photo: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct ProjectArgs {
    /// JPEG, PNG or WebP photo.
    photo: PathBuf,
    /// Where to write the projected PNG.
    #[arg(long)]
    out: PathBuf,
    /// PNG mask, white = skin to analyse.
    #[arg(long)]
    mask: Option<PathBuf>,
    /// How the mask combines with the automatic one: narrow or replace.
    #[arg(long, default_value = "narrow", value_parser = parse_mask_mode)]
    mask_mode: UserMaskMode,
    /// A clinic's evidence profile (JSON).
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Write a JSON report (fractions, ΔE00 per lesion, visibility, citations).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Treatment id (see `treatments`).
    #[arg(long, requires_all = ["concern", "weeks"], conflicts_with_all = ["pigment", "redness", "texture"])]
    treatment: Option<String>,
    /// Concern id (see `treatments`).
    #[arg(long)]
    concern: Option<String>,
    /// Weeks after the start of treatment (0–104).
    #[arg(long)]
    weeks: Option<f64>,
    /// Which end of the evidence band: low, typical or high.
    #[arg(long, default_value = "typical", value_parser = parse_scenario)]
    scenario: Scenario,
    /// Manual fraction of pigment excess removed (0–1).
    #[arg(long, value_parser = parse_fraction)]
    pigment: Option<f32>,
    /// Manual fraction of redness excess removed (0–1).
    #[arg(long, value_parser = parse_fraction)]
    redness: Option<f32>,
    /// Manual fraction of scar relief removed (0–1).
    #[arg(long, value_parser = parse_fraction)]
    texture: Option<f32>,
}

fn parse_fraction(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{s}' is not a fraction between 0 and 1")),
    }
}

fn parse_scenario(s: &str) -> Result<Scenario, String> {
    s.parse()
}

fn parse_mask_mode(s: &str) -> Result<UserMaskMode, String> {
    s.parse()
}

fn parse_point(s: &str) -> Result<(u32, u32), String> {
    let (x, y) = s.split_once(',').ok_or("expected X,Y")?;
    let n = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("'{v}' is not a pixel coordinate"))
    };
    Ok((n(x)?, n(y)?))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                // Help and version go to stdout in full; a closed pipe is not an error.
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // Usage errors: one line, the first of clap's message.
            let text = e.kind().to_string();
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .map(|l| l.trim_start_matches("error:").trim())
                .find(|l| !l.is_empty())
                .unwrap_or(&text);
            eline!("skin-preview: {first} (see skin-preview --help)");
            return ExitCode::from(2);
        }
    };
    // Safety net: a bug must still end with one line and a normal exit code, not 101
    // and a backtrace. Panics are bugs; the corpus and fuzz tests look for this line.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eline!(
            "skin-preview: internal error{at}: {} (please report this)",
            one_line(&what)
        );
    }));
    let result = std::panic::catch_unwind(|| run(cli));
    match result {
        Ok(Ok(())) | Ok(Err(Failure::BrokenPipe)) => ExitCode::SUCCESS,
        Ok(Err(Failure::Message(message))) => {
            eline!("skin-preview: {}", one_line(&message));
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(70), // EX_SOFTWARE; the hook printed the line
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Info { photo, json } => info(&photo, json),
        Command::Treatments { profile, json } => treatments(profile.as_deref(), json),
        Command::Project(args) => project(&args),
        Command::Analyze {
            photo,
            mask,
            mask_mode,
            json,
            maps,
            white,
        } => analyze(
            &photo,
            mask.as_deref().map(|m| (m, mask_mode)),
            json.as_deref(),
            maps.as_deref(),
            white,
        ),
        Command::Face { photo, json } => face(&photo, json),
        Command::Compare(args) => compare::run(&args),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[derive(Serialize)]
struct InfoReport {
    #[serde(flatten)]
    decode: DecodeInfo,
    #[serde(flatten)]
    colour: ColourSummary,
}

fn info(path: &Path, json: bool) -> Result<(), Failure> {
    let decoded = decode::decode(&read(path)?).map_err(|e| e.to_string())?;
    let colour = decoded.photo.colour_summary();
    if json {
        let report = InfoReport {
            decode: decoded.info,
            colour,
        };
        out!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        let i = &decoded.info;
        out!("format:      {}", i.format);
        out!(
            "size:        {}×{} (stored {}×{})",
            colour.width,
            colour.height,
            i.source_width,
            i.source_height
        );
        out!("orientation: EXIF {} applied", i.orientation);
        out!(
            "downscaled:  {}",
            if i.downscaled {
                "yes, to the working cap"
            } else {
                "no"
            }
        );
        let lab = colour.mean_lab;
        out!("mean Lab:    {:.3} {:.3} {:.3}", lab.l, lab.a, lab.b);
        out!("ITA:         {:.2}° ({})", colour.ita, colour.ita_label);
    }
    Ok(())
}

fn load_photo(path: &Path) -> Result<Photo, String> {
    Ok(decode::decode(&read(path)?)
        .map_err(|e| e.to_string())?
        .photo)
}

fn load_mask(path: &Path, width: u32, height: u32) -> Result<Vec<bool>, String> {
    let mask = load_photo(path).map_err(|e| format!("mask {}: {e}", path.display()))?;
    let mask = if (mask.width(), mask.height()) == (width, height) {
        mask
    } else {
        decode::resize(mask, width, height).map_err(|e| e.to_string())?
    };
    Ok(mask
        .rgba()
        .chunks_exact(4)
        .map(|p| p[0] as u16 + p[1] as u16 + p[2] as u16 >= 384)
        .collect())
}

/// Opens the photo, runs the face pass and the analysis, as the page does.
fn open_and_analyze(
    path: &Path,
    mask: Option<(&Path, UserMaskMode)>,
    white: Option<(u32, u32)>,
) -> Result<Session, Failure> {
    let mut session = Session::open(&read(path)?).map_err(|e| e.to_string())?;
    let (w, h) = (session.photo().width(), session.photo().height());
    let mask = match mask {
        Some((m, mode)) => Some((load_mask(m, w, h)?, mode)),
        None => None,
    };
    if let Some((x, y)) = white {
        // Checked before the face pass, so a wrong point fails fast.
        skin_preview::session::check_white_point(w, h, x, y).map_err(|e| e.to_string())?;
    }
    session.set_face(skin_preview::skin::face::cli::pass(session.photo()));
    session
        .analyze(AnalyzeRequest { mask, white })
        .map_err(|e| e.to_string())?;
    Ok(session)
}

fn analyze(
    path: &Path,
    mask: Option<(&Path, UserMaskMode)>,
    json: Option<&Path>,
    maps: Option<&Path>,
    white: Option<(u32, u32)>,
) -> Result<(), Failure> {
    let session = open_and_analyze(path, mask, white)?;
    let result = session.analysis().expect("analysed");
    if let Some(dir) = maps {
        maps::write_pngs(result, dir)?;
    }
    let r = &result.report();
    match json {
        Some(p) if p == Path::new("-") => out!("{}", to_json(r)?),
        Some(p) => std::fs::write(p, to_json(r)?)
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        None => {}
    }
    if json.is_none_or(|p| p != Path::new("-")) {
        print_report(r)?;
    }
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string_pretty(v).map_err(|e| e.to_string())
}

fn print_report(r: &analysis::Report) -> Result<(), Failure> {
    out!("size:        {}×{}", r.width, r.height);
    if !r.skin_found {
        out!("skin:        none found; no analysis possible");
        return Ok(());
    }
    out!("skin:        {:.1}% of the image", r.skin_area_percent);
    if let (Some(ita), Some(label)) = (r.ita, r.ita_label) {
        out!("ITA:         {ita:.1}° ({label})");
    }
    let a = r.affected_percent;
    out!(
        "affected:    pigment {:.2}%, redness {:.2}%, texture {:.2}% of skin",
        a.pigment,
        a.redness,
        a.texture
    );
    out!(
        "aMASI-like:  {:.2} (area × darkness, 0–100; not mMASI)",
        r.a_masi_like
    );
    out!("mask:        {}", r.mask_source);
    if let Some(f) = &r.face {
        out!(
            "face:        {:.0} px wide, yaw {:.0}°, roll {:.0}°; {:.2} ({})",
            f.width_px,
            f.yaw_deg,
            f.roll_deg,
            f.zone_weighted_score,
            f.zone_weighted_label
        );
        for z in &f.zones {
            out!(
                "  zone {:<20} aMASI-like {:.2}, pigment {:.2}%, redness {:.2}%, texture {:.2}%",
                z.name,
                z.a_masi_like,
                z.affected_percent.pigment,
                z.affected_percent.redness,
                z.affected_percent.texture
            );
        }
        for w in &f.warnings {
            out!("check:       {w}");
        }
    }
    out!("lesions:     {}", r.lesions.len());
    for l in &r.lesions {
        out!(
            "  #{:<3} {:<8} {:>7} px at ({:.0}, {:.0})  ΔE00 {:.2}  ΔL* {:+.2}",
            l.id,
            format!("{:?}", l.kind).to_lowercase(),
            l.area_px,
            l.centroid[0],
            l.centroid[1],
            l.delta_e00,
            l.delta_l
        );
    }
    for note in &r.lighting.notes {
        out!("note:        {note}");
    }
    Ok(())
}

fn load_profile(path: Option<&Path>) -> Result<Profile, String> {
    match path {
        None => Ok(Profile::builtin().clone()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            Profile::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
    }
}

fn treatments(profile: Option<&Path>, json: bool) -> Result<(), Failure> {
    let profile = load_profile(profile)?;
    if json {
        out!("{}", to_json(&profile)?);
    } else {
        write!(
            std::io::stdout().lock(),
            "{}",
            evidence::listing_text(&profile)
        )
        .map_err(stdout_failure)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct ProjectReport<'a> {
    treatment: Option<&'a str>,
    concern: Option<&'a str>,
    weeks: Option<f64>,
    fractions: Fractions,
    projection: Option<evidence::Projection>,
    band: Option<skin_preview::projection::plan::BandAt>,
    grade: Option<evidence::Grade>,
    citations: Vec<evidence::Citation>,
    risk_warnings: Vec<evidence::RiskWarning>,
    extrapolated: bool,
    relapse: Option<skin_preview::projection::plan::RelapseNote>,
    lesions: Vec<LesionChange>,
    modelling_assumption: &'a str,
}

fn project(args: &ProjectArgs) -> Result<(), Failure> {
    let profile = load_profile(args.profile.as_deref())?;
    let mask = args.mask.as_deref().map(|m| (m, args.mask_mode));
    let manual = args.pigment.is_some() || args.redness.is_some() || args.texture.is_some();
    if args.treatment.is_none() && !manual {
        return Err("say what to project: --treatment ID --concern ID --weeks N, or --pigment/--redness/--texture fractions".into());
    }
    let mut session = open_and_analyze(&args.photo, mask, None)?;
    let (fractions, plan, lesions) = match (&args.treatment, &args.concern, args.weeks) {
        (Some(t), Some(c), Some(w)) => {
            let request = PlanRequest {
                treatment: t.clone(),
                concern: c.clone(),
                week: w,
                scenario: args.scenario,
            };
            let PlanResult {
                plan,
                rendered,
                changes,
            } = session
                .plan(&profile, &request, false)
                .map_err(|e| e.to_string())?;
            plan.require_evidence().map_err(|e| e.to_string())?;
            (rendered, Some(plan), changes)
        }
        _ => {
            let f = Fractions {
                pigment: args.pigment.unwrap_or(0.0),
                redness: args.redness.unwrap_or(0.0),
                texture: args.texture.unwrap_or(0.0),
            };
            session.render(f).map_err(|e| e.to_string())?;
            (
                f,
                None,
                session.lesion_changes().map_err(|e| e.to_string())?,
            )
        }
    };
    let photo = session.photo();
    image::save_buffer(
        &args.out,
        session.output(),
        photo.width(),
        photo.height(),
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let visible = lesions.iter().filter(|l| l.visible).count();
    out!(
        "fractions:   pigment {:.3}, redness {:.3}, texture {:.3}",
        fractions.pigment,
        fractions.redness,
        fractions.texture
    );
    if let Some(p) = &plan {
        if let (Some(grade), Some(band)) = (p.grade, &p.band) {
            out!(
                "evidence:    grade {}{}",
                grade.as_str(),
                if p.extrapolated {
                    ", extrapolated past the last cited week"
                } else {
                    ""
                }
            );
            let (l, t, h) = (band.low, band.typical, band.high);
            out!(
                "band:        pigment {:.3}–{:.3} (typical {:.3}), redness {:.3}–{:.3} ({:.3}), texture {:.3}–{:.3} ({:.3})",
                l.pigment, h.pigment, t.pigment, l.redness, h.redness, t.redness, l.texture, h.texture, t.texture
            );
        }
        if session.ita().is_none() {
            out!("skin tone:   unknown (no skin found), so every skin-tone risk is shown");
        }
        for r in &p.risks {
            out!("risk:        {} ({})", r.message, r.rule);
        }
        if let Some(note) = &p.relapse {
            out!("relapse:     {}", note.text);
        }
    }
    out!(
        "lesions:     {} found, {visible} visibly changed",
        lesions.len()
    );
    out!("wrote:       {}", args.out.display());
    if let Some(path) = &args.json {
        let report = ProjectReport {
            treatment: args.treatment.as_deref(),
            concern: args.concern.as_deref(),
            weeks: args.weeks,
            fractions,
            projection: plan.as_ref().and_then(|p| p.fractions),
            band: plan.as_ref().and_then(|p| p.band),
            grade: plan.as_ref().and_then(|p| p.grade),
            citations: plan
                .as_ref()
                .map(|p| p.citations.clone())
                .unwrap_or_default(),
            risk_warnings: plan.as_ref().map(|p| p.risks.clone()).unwrap_or_default(),
            extrapolated: plan.as_ref().is_some_and(|p| p.extrapolated),
            relapse: plan.as_ref().and_then(|p| p.relapse.clone()),
            lesions,
            modelling_assumption: profile.modelling_assumption(),
        };
        std::fs::write(path, to_json(&report)?)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// `face`: the face models are built into the native binary (the page fetches them).
// ---------------------------------------------------------------------------------------

fn face(path: &Path, json: bool) -> Result<(), Failure> {
    let photo = load_photo(path)?;
    let models = skin_preview::skin::face::cli::models().map_err(|e| e.to_string())?;
    let found = skin_preview::skin::face::find_face(&models, &photo);
    if json {
        out!("{}", to_json(&found)?);
        return Ok(());
    }
    let Some(f) = found else {
        out!("no face found ({}×{})", photo.width(), photo.height());
        return Ok(());
    };
    out!(
        "size:     {}×{} (working pixels; points below)",
        photo.width(),
        photo.height()
    );
    out!(
        "score:    {:.3} (face presence {:.3})",
        f.score,
        f.face_presence
    );
    out!("width:    {:.1} px", f.width_px);
    out!("roll:     {:.1}°", f.roll_deg);
    out!("yaw:      {:.1}°", f.yaw_deg);
    out!("points:   468 (x y z in pixels, pixel corners at integers)");
    for (i, p) in f.points.iter().enumerate() {
        out!("{i:3} {:.2} {:.2} {:.2}", p[0], p[1], p[2]);
    }
    Ok(())
}
