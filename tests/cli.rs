//! The corpus (issue 6) through the `skin-preview` binary: `info`, `analyze --json -`
//! and `project`. Errors exit non-zero with exactly one line on stderr; nothing exits
//! 101 (a panic) or hangs (each run has a deadline and is killed past it).

#![cfg(not(target_arch = "wasm32"))]

mod corpus_gen;

use corpus_gen::{Expect, Item};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_skin-preview");
const DEADLINE: Duration = Duration::from_secs(60);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident memory (VmHWM) seen while it ran, in KiB.
    peak_kib: u64,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary with a deadline, polling its peak memory; kills it on timeout.
fn run(args: &[&str]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn skin-preview");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let mut peak_kib = 0;
    let status = loop {
        if let Some(k) = vm_hwm_kib(child.id()) {
            peak_kib = peak_kib.max(k);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("skin-preview {args:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        peak_kib,
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skin-preview-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks one run against the item's expectation; returns a problem if any.
fn judge(item: &Item, what: &str, r: &Run) -> Option<String> {
    let tag = format!("{} [{what}]", item.name);
    if r.code == 101 || r.stderr.contains("internal error") || r.stderr.contains("panicked") {
        return Some(format!("{tag}: panicked (exit {}): {}", r.code, r.stderr));
    }
    match item.expect {
        Expect::Err(_) => {
            let lines: Vec<&str> = r.stderr.lines().collect();
            if r.code != 1 {
                return Some(format!("{tag}: exit {} (expected 1)", r.code));
            }
            if lines.len() != 1 || !lines[0].starts_with("skin-preview: ") {
                return Some(format!("{tag}: stderr is not one line: {:?}", r.stderr));
            }
            if !r.stdout.is_empty() {
                return Some(format!("{tag}: wrote to stdout on error: {:?}", r.stdout));
            }
            None
        }
        Expect::Ok { .. } if r.code != 0 => {
            Some(format!("{tag}: exit {}: {}", r.code, r.stderr.trim()))
        }
        Expect::Ok { .. } => None,
    }
}

fn write(dir: &Path, item: &Item) -> PathBuf {
    let p = dir.join(&item.name);
    std::fs::write(&p, &item.bytes).unwrap();
    p
}

#[test]
fn corpus_through_the_cli() {
    let dir = scratch("corpus");
    let items = corpus_gen::corpus(false);
    let mut failures = Vec::new();
    let mut runs = 0;
    for item in &items {
        let path = write(&dir, item);
        let p = path.to_str().unwrap();
        let info = run(&["info", p, "--json"]);
        runs += 1;
        failures.extend(judge(item, "info", &info));
        if let (Expect::Ok { width, height, .. }, 0) = (item.expect, info.code) {
            let v: serde_json::Value = serde_json::from_str(&info.stdout).unwrap();
            if (v["width"].as_u64(), v["height"].as_u64())
                != (Some(width as u64), Some(height as u64))
            {
                failures.push(format!(
                    "{}: info says {} × {}",
                    item.name, v["width"], v["height"]
                ));
            }
        }
        let analyze = run(&["analyze", p, "--json", "-"]);
        runs += 1;
        failures.extend(judge(item, "analyze", &analyze));
        if analyze.code == 0 {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&analyze.stdout) {
                failures.push(format!("{}: analyze --json - is not JSON: {e}", item.name));
            }
        }
        let out = dir.join(format!("{}.projected.png", item.name));
        let project = run(&[
            "project",
            p,
            "--pigment",
            "1",
            "--out",
            out.to_str().unwrap(),
        ]);
        runs += 1;
        failures.extend(judge(item, "project", &project));
        if let (Expect::Ok { width, height, .. }, 0) = (item.expect, project.code) {
            match image::image_dimensions(&out) {
                Ok(d) if d == (width, height) => {}
                other => failures.push(format!("{}: projected PNG {other:?}", item.name)),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "cli: {} items, {runs} runs, {} problems",
        items.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The bomb is refused from its header: peak memory stays small. The 60 MP photo is
/// downscaled; its peak is printed (run with `--nocapture`) and bounded.
#[test]
fn peak_memory_of_the_bomb_and_the_60mp_photo() {
    let dir = scratch("memory");
    let items = corpus_gen::corpus(true);
    for (name, limit_mib) in [
        ("bomb-100000x100000.png", 64),
        ("bomb-65535x65535.jpg", 64),
        ("60mp.jpg", 1200),
    ] {
        let item = items.iter().find(|i| i.name == name).unwrap();
        let path = write(&dir, item);
        let r = run(&["info", path.to_str().unwrap()]);
        eprintln!(
            "peak memory: skin-preview info {name}: {} MiB (exit {})",
            r.peak_kib / 1024,
            r.code
        );
        assert!(
            judge(item, "info", &r).is_none(),
            "{name}: {r:?}",
            r = (r.code, &r.stderr)
        );
        // A bomb refused within the first ~2 ms may exit before the first sample
        // (peak 0 = not sampled); the 60 MP decode always runs long enough.
        if name == "60mp.jpg" {
            assert!(r.peak_kib > 0, "{name}: could not read VmHWM");
        }
        assert!(
            r.peak_kib / 1024 < limit_mib,
            "{name}: peak {} MiB over {limit_mib} MiB",
            r.peak_kib / 1024
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    for args in [
        &["info"][..],
        &["project", "x.jpg"],
        &["frobnicate"],
        &["project", "x.jpg", "--out", "o.png", "--pigment", "2"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {:?}", r.stderr);
        assert!(
            r.stderr.starts_with("skin-preview: "),
            "{args:?}: {:?}",
            r.stderr
        );
    }
    let help = run(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Usage"));
}

/// `skin-preview treatments | head -c1`: a closed stdout stops quietly, no panic.
#[test]
fn closed_stdout_is_not_a_panic() {
    for args in [&["treatments"][..], &["treatments", "--json"]] {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // close the read end before it writes
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err:?}");
    }
}

#[test]
fn a_bad_profile_is_one_line() {
    let dir = scratch("profile");
    let p = dir.join("profile.json");
    for text in ["", "{", "[1,2,3]", "{\"name\": 5}", "\u{feff}{}", "null"] {
        std::fs::write(&p, text).unwrap();
        let r = run(&["treatments", "--profile", p.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{text:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{text:?}: {:?}", r.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
