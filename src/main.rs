//! `skin-preview` command line: the same engine as the page, for files on disk.

use clap::{Parser, Subcommand};
use serde::Serialize;
use skin_preview::decode::{self, DecodeInfo};
use skin_preview::photo::ColourSummary;
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info { photo, json } => info(&photo, json),
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
