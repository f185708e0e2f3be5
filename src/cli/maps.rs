//! The `--maps` folder: each analysis map as an 8-bit PNG.

use skin_preview::analysis::maps::{named_map, zone_grey, MAP_NAMES};
use skin_preview::analysis::Analysis;
use std::path::Path;

/// Writes `skin.png`, `melanin.png`, … (and `zones.png` with a face) into `dir`.
pub fn write_pngs(a: &Analysis, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (w, h) = (a.report().width, a.report().height);
    let mut files: Vec<(&str, Vec<u8>)> = MAP_NAMES
        .iter()
        .filter_map(|&name| named_map(a, name).map(|g| (name, g)))
        .collect();
    if let Some(grey) = zone_grey(a) {
        files.push(("zones", grey));
    }
    for (name, grey) in files {
        let path = dir.join(format!("{name}.png"));
        image::save_buffer(&path, &grey, w, h, image::ExtendedColorType::L8)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
