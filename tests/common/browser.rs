//! Setup for the browser tests: the viewer's npm packages (`npm ci` in web/, the project's
//! setup step) and Debian's Chromium (installed with apt-get when missing and running as
//! root, as on CI; otherwise the test fails naming the command).

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn web_dir() -> PathBuf {
    super::repo().join("web")
}

/// Runs `npm ci` in web/ when MapLibre GL JS or playwright-core is not installed there.
/// One test at a time: `npm ci` first deletes node_modules, which another test of the
/// same binary may be reading (`bando publish` copies MapLibre from it).
pub fn ensure_npm_packages() {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _installing = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let web = web_dir();
    let installed = ["node_modules/maplibre-gl/dist/maplibre-gl.js", "node_modules/pmtiles/dist/pmtiles.js", "node_modules/playwright-core/package.json", "node_modules/exceljs/package.json"]
        .iter()
        .all(|f| web.join(f).is_file());
    if installed {
        return;
    }
    eprintln!("web/node_modules is incomplete: running `npm ci` in {}", web.display());
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&web)
        .status()
        .unwrap_or_else(|e| panic!("cannot run npm ({e}): install Node.js and npm (Debian: apt-get install nodejs npm), then run `npm ci --prefix web`"));
    assert!(status.success(), "`npm ci` in web/ failed ({status})");
}

/// Makes sure Debian's Chromium is at /usr/bin/chromium.
pub fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() {
        return;
    }
    if !is_root() {
        panic!("{CHROMIUM} is missing: install Debian's Chromium with `sudo apt-get install chromium`");
    }
    eprintln!("{CHROMIUM} is missing: running `apt-get update` and `apt-get install -y chromium`");
    for args in [&["update"][..], &["install", "-y", "chromium"][..]] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .unwrap_or_else(|e| panic!("cannot run apt-get ({e}): install Chromium with `apt-get install chromium`"));
        assert!(status.success(), "`apt-get {}` failed ({status})", args.join(" "));
    }
    assert!(Path::new(CHROMIUM).exists(), "apt-get installed chromium but {CHROMIUM} is still missing");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
