//! `skin-preview` command line: the same engine as the page, for files on disk.

use clap::{Parser, Subcommand};
use serde::Serialize;
use skin_preview::analysis::{self, AnalysisOptions};
use skin_preview::decode::{self, DecodeInfo};
use skin_preview::photo::{ColourSummary, Photo};
use skin_preview::skin_mask::UserMaskMode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// Find skin, pigment, redness and scar relief; print scores and the lesion list.
    Analyze {
        /// JPEG, PNG or WebP photo.
        photo: PathBuf,
        /// PNG mask, white = skin to analyse (restricts the automatic mask).
        #[arg(long)]
        mask: Option<PathBuf>,
        /// Write the full report as JSON to this file ("-" for standard output).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the maps as 8-bit PNGs into this folder.
        #[arg(long)]
        maps: Option<PathBuf>,
        /// A white or grey reference pixel "X,Y" for colour normalization.
        #[arg(long, value_parser = parse_point)]
        white: Option<(u32, u32)>,
    },
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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info { photo, json } => info(&photo, json),
        Command::Analyze {
            photo,
            mask,
            json,
            maps,
            white,
        } => analyze(
            &photo,
            mask.as_deref(),
            json.as_deref(),
            maps.as_deref(),
            white,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("skin-preview: {message}");
            ExitCode::from(1)
        }
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

fn info(path: &Path, json: bool) -> Result<(), String> {
    let decoded = decode::decode(&read(path)?).map_err(|e| e.to_string())?;
    let colour = decoded.photo.colour_summary();
    if json {
        let report = InfoReport {
            decode: decoded.info,
            colour,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        let i = &decoded.info;
        println!("format:      {}", i.format);
        println!(
            "size:        {}×{} (stored {}×{})",
            colour.width, colour.height, i.source_width, i.source_height
        );
        println!("orientation: EXIF {} applied", i.orientation);
        println!(
            "downscaled:  {}",
            if i.downscaled {
                "yes, to the working cap"
            } else {
                "no"
            }
        );
        let lab = colour.mean_lab;
        println!("mean Lab:    {:.3} {:.3} {:.3}", lab.l, lab.a, lab.b);
        println!("ITA:         {:.2}° ({})", colour.ita, colour.ita_label);
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

fn analyze(
    path: &Path,
    mask: Option<&Path>,
    json: Option<&Path>,
    maps: Option<&Path>,
    white: Option<(u32, u32)>,
) -> Result<(), String> {
    let photo = load_photo(path)?;
    let user_mask = match mask {
        Some(m) => Some((
            load_mask(m, photo.width(), photo.height())?,
            UserMaskMode::Restrict,
        )),
        None => None,
    };
    if let Some((x, y)) = white {
        if x >= photo.width() || y >= photo.height() {
            return Err(format!(
                "the white reference {x},{y} is outside the {}×{} photo",
                photo.width(),
                photo.height()
            ));
        }
    }
    let result = analysis::analyze(
        &photo,
        &AnalysisOptions {
            user_mask,
            white_reference: white,
        },
    );
    if let Some(dir) = maps {
        skin_preview::maps::write_pngs(&result, dir).map_err(|e| e.to_string())?;
    }
    let r = &result.report;
    match json {
        Some(p) if p == Path::new("-") => println!("{}", to_json(r)?),
        Some(p) => std::fs::write(p, to_json(r)?)
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
        None => {}
    }
    if json.is_none_or(|p| p != Path::new("-")) {
        print_report(r);
    }
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string_pretty(v).map_err(|e| e.to_string())
}

fn print_report(r: &analysis::Report) {
    println!("size:        {}×{}", r.width, r.height);
    if !r.skin_found {
        println!("skin:        none found; no analysis possible");
        return;
    }
    println!("skin:        {:.1}% of the image", r.skin_area_percent);
    if let (Some(ita), Some(label)) = (r.ita, r.ita_label) {
        println!("ITA:         {ita:.1}° ({label})");
    }
    let a = r.affected_percent;
    println!(
        "affected:    pigment {:.2}%, redness {:.2}%, texture {:.2}% of skin",
        a.pigment, a.redness, a.texture
    );
    println!(
        "aMASI-like:  {:.2} (area × darkness, 0–100; not mMASI)",
        r.a_masi_like
    );
    println!("lesions:     {}", r.lesions.len());
    for l in &r.lesions {
        println!(
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
        println!("note:        {note}");
    }
}
