//! `kvconform serve` as a process: banner, quirk listing, flag errors, graceful SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use kvconform::vault::Quirk;

fn kvconform() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kvconform"))
}

#[test]
fn list_quirks_prints_one_line_per_quirk() {
    let out = kvconform()
        .args(["serve", "--list-quirks"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), Quirk::ALL.len());
    for (line, q) in lines.iter().zip(Quirk::ALL) {
        assert!(line.starts_with(q.name()), "{line}");
        assert!(line.ends_with(q.description()), "{line}");
    }
}

#[test]
fn bad_flags_are_clap_errors() {
    for args in [
        &["serve", "--quirk", "no-such-quirk"][..],
        &["serve", "--self-delay", "soon"][..],
    ] {
        let status = kvconform()
            .args(args)
            .stderr(Stdio::null())
            .status()
            .expect("run");
        assert_eq!(status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn serves_on_port_zero_and_stops_on_sigterm() {
    let mut child = kvconform()
        .args(["serve", "--addr", "127.0.0.1:0", "--key-pool", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = String::new();
    BufReader::new(stdout)
        .read_line(&mut banner)
        .expect("banner");
    let url = banner
        .trim()
        .strip_prefix("listening on ")
        .expect("banner format")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let status = runtime.block_on(async {
        reqwest::get(format!("{url}/certificates?api-version=2025-07-01"))
            .await
            .map(|r| r.status().as_u16())
    });
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = child.wait().expect("wait");
    assert_eq!(status.ok(), Some(200));
    assert!(exit.success(), "{exit:?}");
}

/// `serve --identity`: the lines after the banner are what to export, and they work: the token
/// the printed endpoint hands out (with the printed header) opens the vault, another does not.
#[test]
fn identity_banner_says_what_to_export_and_its_token_opens_the_vault() {
    let mut child = kvconform()
        .args(["serve", "--addr", "127.0.0.1:0", "--key-pool", "0"])
        .args(["--require-auth", "--identity"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || lines.next().expect("a line").expect("utf-8");
    let url = next()
        .strip_prefix("listening on ")
        .expect("banner format")
        .to_owned();
    let endpoint = next()
        .strip_prefix("export IDENTITY_ENDPOINT=")
        .expect("IDENTITY_ENDPOINT line")
        .to_owned();
    let header = next()
        .strip_prefix("export IDENTITY_HEADER=")
        .expect("IDENTITY_HEADER line")
        .to_owned();
    assert!(
        next().starts_with("# no CA"),
        "plain HTTP has no CA to export"
    );
    let port = url.rsplit(':').next().expect("port").to_owned();
    let cloud = next();
    assert!(
        cloud.contains(&format!(
            "--endpoint-resource-manager https://localhost:{port}/ --suffix-keyvault-dns :{port}"
        )),
        "{cloud}"
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let statuses = runtime.block_on(async {
        let http = reqwest::Client::new();
        let body: serde_json::Value = http
            .get(format!(
                "{endpoint}?api-version=2019-08-01&resource=https://vault.azure.net"
            ))
            .header("X-IDENTITY-HEADER", &header)
            .send()
            .await?
            .json()
            .await?;
        let token = body["access_token"].as_str().unwrap_or_default().to_owned();
        let list = format!("{url}/certificates?api-version=2025-07-01");
        let issued = http.get(&list).bearer_auth(&token).send().await?.status();
        let other = http
            .get(&list)
            .bearer_auth("made-up")
            .send()
            .await?
            .status();
        Ok::<_, reqwest::Error>((issued.as_u16(), other.as_u16()))
    });
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    assert!(child.wait().expect("wait").success());
    assert_eq!(statuses.ok(), Some((200, 401)));
}
