//! `bando user …`: the accounts of the management routes, from the command line (a
//! module of the binary). The first admin is created here; anyone who can write the data
//! folder can manage accounts, so these commands are logged as `command line`.
//!
//! Passwords are read from standard input when it is piped (`echo … | bando user add …`,
//! one line) or prompted for twice without echo on a terminal; never from a flag, which
//! would land in the shell history and the process list.

use anyhow::Context;
use bando::store::{accounts, NewAccount, Origin, Password, Role, Store};
use clap::Subcommand;
use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum UserAction {
    /// Add an account; the password is read from standard input or prompted for.
    Add {
        username: String,
        /// admin (central office), province (editor of --province) or reviewer (read-only).
        #[arg(long)]
        role: String,
        /// A province code of edition 2025 a province editor may change (repeat for several).
        #[arg(long = "province")]
        provinces: Vec<String>,
        /// Display name, the office the public history names (the username when not given).
        #[arg(long, default_value = "")]
        name: String,
        #[command(flatten)]
        store: bando::config::StoreArgs,
    },
    /// List the accounts (never a password or its hash).
    List {
        #[command(flatten)]
        store: bando::config::StoreArgs,
    },
    /// Disable an account: its sessions end and its API tokens stop working.
    Disable {
        username: String,
        #[command(flatten)]
        store: bando::config::StoreArgs,
    },
    /// Enable a disabled account again.
    Enable {
        username: String,
        #[command(flatten)]
        store: bando::config::StoreArgs,
    },
    /// Set a new password (read from standard input or prompted for); ends the sessions.
    ResetPassword {
        username: String,
        #[command(flatten)]
        store: bando::config::StoreArgs,
    },
    /// Change an account's role (and provinces); logged, ends the sessions.
    SetRole {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long = "province")]
        provinces: Vec<String>,
        #[command(flatten)]
        store: bando::config::StoreArgs,
    },
}

fn open(args: &bando::config::StoreArgs) -> anyhow::Result<Store> {
    Store::open(&args.data_dir).with_context(|| format!("--data-dir {}", args.data_dir.display()))
}

fn role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text).with_context(|| format!("--role '{text}' is not admin, province or reviewer"))
}

/// The province codes of edition 2025, from the reference table of the source tree.
fn known_provinces() -> anyhow::Result<BTreeSet<String>> {
    let path = std::path::Path::new(bando::config::REFERENCE_TABLES).join("communes-2025.csv");
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("cannot read the 2025 provinces from {}", path.display()))?;
    let column = reader.headers()?.iter().position(|h| h == "province_code").with_context(|| format!("{}: no province_code column", path.display()))?;
    let mut codes = BTreeSet::new();
    for record in reader.records() {
        codes.insert(record?.get(column).unwrap_or_default().to_string());
    }
    Ok(codes)
}

/// Refuses codes that are not provinces of edition 2025, all of them named at once.
fn check_provinces(provinces: &[String]) -> anyhow::Result<()> {
    let known = known_provinces()?;
    let unknown: Vec<&str> = provinces.iter().map(|p| p.trim()).filter(|p| !known.contains(*p)).collect();
    anyhow::ensure!(unknown.is_empty(), "--province: {} is not a province code of edition {}", unknown.join(", "), accounts::PROVINCE_EDITION);
    Ok(())
}

/// The password: one line of piped standard input, or typed twice at a prompt.
fn read_password(prompt: &str) -> anyhow::Result<Password> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        let first = prompt_hidden(&format!("{prompt}: "))?;
        let again = prompt_hidden("Again / Nhập lại: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing was changed");
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    Password::new(text).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Reads a line from the terminal with echo turned off (restored afterwards).
fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let _echo = EchoOff::new();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    eprintln!();
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Terminal echo off while alive.
struct EchoOff(#[cfg(unix)] Option<libc::termios>);

impl EchoOff {
    #[cfg(unix)]
    fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on standard input with a zeroed, then filled, termios.
        unsafe {
            let mut term: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut term) != 0 {
                return EchoOff(None);
            }
            let saved = term;
            term.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &term);
            EchoOff(Some(saved))
        }
    }

    #[cfg(not(unix))]
    fn new() -> EchoOff {
        EchoOff()
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, saved);
            }
        }
    }
}

/// Runs one `bando user` command.
pub fn run(action: UserAction) -> anyhow::Result<ExitCode> {
    let origin = Origin::COMMAND_LINE;
    match action {
        UserAction::Add { username, role: r, provinces, name, store } => {
            let role = role(&r)?;
            // Cheap checks first, so a typo does not cost a typed password.
            accounts::check_username(username.trim()).map_err(|e| anyhow::anyhow!("{e}"))?;
            accounts::check_provinces(role, &provinces).map_err(|e| anyhow::anyhow!("--province: {e}"))?;
            check_provinces(&provinces)?;
            let store = open(&store)?;
            anyhow::ensure!(store.account(&username)?.is_none(), "username: an account named '{}' already exists", username.trim());
            let password = read_password("Password / Mật khẩu")?;
            let account = store.add_account(NewAccount { username, display_name: name, role, provinces, password }, origin).map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(username = %account.username, role = %account.role, provinces = ?account.provinces, "account added from the command line");
            println!("added {} ({}){}", account.username, account.role, provinces_text(&account.provinces));
        }
        UserAction::List { store } => {
            let store = open(&store)?;
            let accounts = store.accounts()?;
            println!("{:<24} {:<9} {:<10} {:<8} name", "username", "role", "provinces", "state");
            for a in &accounts {
                let state = if a.disabled { "disabled" } else { "active" };
                println!("{:<24} {:<9} {:<10} {:<8} {}", a.username, a.role.as_str(), a.provinces.join(","), state, a.display_name);
            }
            if accounts.is_empty() {
                println!("(no account yet: bando user add NAME --role admin --data-dir DIR)");
            }
        }
        UserAction::Disable { username, store } => {
            let account = open(&store)?.set_disabled(&username, true, origin).map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(username = %account.username, "account disabled from the command line");
            println!("disabled {}", account.username);
        }
        UserAction::Enable { username, store } => {
            let account = open(&store)?.set_disabled(&username, false, origin).map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(username = %account.username, "account enabled from the command line");
            println!("enabled {}", account.username);
        }
        UserAction::ResetPassword { username, store } => {
            let store = open(&store)?;
            anyhow::ensure!(store.account(&username)?.is_some(), "username: no account named '{}'", username.trim());
            let password = read_password("New password / Mật khẩu mới")?;
            let account = store.reset_password(&username, &password, origin).map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(username = %account.username, "password reset from the command line");
            println!("new password set for {}; their sessions ended", account.username);
        }
        UserAction::SetRole { username, role: r, provinces, store } => {
            let role = role(&r)?;
            check_provinces(&provinces)?;
            let account = open(&store)?.set_role(&username, role, &provinces, origin).map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(username = %account.username, role = %account.role, provinces = ?account.provinces, "role changed from the command line");
            println!("{} is now {}{}", account.username, account.role, provinces_text(&account.provinces));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn provinces_text(provinces: &[String]) -> String {
    if provinces.is_empty() {
        String::new()
    } else {
        format!(" for provinces {}", provinces.join(", "))
    }
}
