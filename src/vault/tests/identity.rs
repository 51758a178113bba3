//! `serve --identity` over real sockets: the App Service token endpoint, the vault accepting
//! exactly the tokens it issued, and the Resource Manager answers of `az login`.

use serde_json::Value;

use super::{config, http_get, http_json, loopback};
use crate::vault::{TokenBook, VaultConfig, start, start_identity};

const TENANT: &str = "11111111-2222-3333-4444-555555555555";

#[tokio::test]
async fn tokens_from_the_endpoint_open_the_vault_and_arm() {
    let book = TokenBook::default();
    let cfg = VaultConfig {
        issued_tokens: Some(book.clone()),
        tenant_id: TENANT.to_owned(),
        ..config(&[])
    };
    let vault = start(cfg, loopback(), false).await.expect("vault");
    let identity = start_identity(book.clone(), TENANT.to_owned(), loopback())
        .await
        .expect("identity");
    assert!(identity.endpoint.starts_with("http://127.0.0.1:"));
    assert!(identity.endpoint.ends_with("/msi/token"));
    let http = reqwest::Client::new();
    let ask = |header: Option<&str>, query: &str| {
        let mut r = http.get(format!("{}?{query}", identity.endpoint));
        if let Some(h) = header {
            r = r.header("X-IDENTITY-HEADER", h);
        }
        r.send()
    };
    let good = "api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net";

    // The endpoint: header, api-version and resource are required.
    let h = Some(identity.header.as_str());
    for (header, query, status) in [
        (None, good, 401),
        (Some("wrong"), good, 401),
        (h, "api-version=2017-09-01&resource=x", 400),
        (h, "api-version=2019-08-01", 400),
    ] {
        let answer = ask(header, query).await.expect("send");
        assert_eq!(answer.status(), status, "{header:?} {query}");
    }
    assert!(book.is_empty(), "refused requests issue nothing");

    let r = ask(h, good).await.expect("send");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["resource"], "https://vault.azure.net");
    let expires: i64 = body["expires_on"]
        .as_str()
        .expect("string")
        .parse()
        .expect("secs");
    assert!(expires > time::OffsetDateTime::now_utc().unix_timestamp() + 3000);
    let token = body["access_token"].as_str().expect("token").to_owned();
    let claims = crate::vault::identity::claims_of(&token).expect("a JWT");
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["aud"], "https://vault.azure.net");
    assert_eq!(book.len(), 1);

    // The vault: the issued token opens it, any other is challenged.
    let list = format!("{}/certificates?api-version=2025-07-01", vault.url);
    assert_eq!(http_get(&http, &list, Some(&token)).await.status(), 200);
    let other = http_get(&http, &list, Some("not-issued")).await;
    assert_eq!(other.status(), 401);
    assert!(other.headers().contains_key("www-authenticate"));

    assert_arm(&http, &vault.url, &token).await;
}

/// Resource Manager on the vault's port: metadata without a token (even after a doubled
/// slash), the rest only with the issued `token`.
async fn assert_arm(http: &reqwest::Client, url: &str, token: &str) {
    let meta_url = format!("{url}//metadata/endpoints?api-version=2022-09-01");
    let meta = http_json(http, &meta_url, None).await;
    let port = url.rsplit(':').next().expect("port");
    assert_eq!(meta["resourceManager"], format!("{url}/"));
    assert_eq!(meta["suffixes"]["keyVaultDns"], format!("localhost:{port}"));
    let subs = format!("{url}/subscriptions?api-version=2022-12-01");
    for refused in [None, Some("not-issued")] {
        assert_eq!(http_get(http, &subs, refused).await.status(), 401);
    }
    let listed = http_json(http, &subs, Some(token)).await;
    assert_eq!(listed["value"][0]["tenantId"], TENANT);
    assert_eq!(listed["value"][0]["state"], "Enabled");
    let tenants_url = format!("{url}/tenants?api-version=2022-12-01");
    let tenants = http_json(http, &tenants_url, Some(token)).await;
    assert_eq!(tenants["value"][0]["tenantId"], TENANT);
}

/// Without `--identity` nothing changes: no ARM routes, any bearer token is accepted.
#[tokio::test]
async fn without_identity_there_is_no_arm_and_any_token_is_accepted() {
    let vault = start(config(&[]), loopback(), false).await.expect("vault");
    let http = reqwest::Client::new();
    let subs_url = format!("{}/subscriptions?api-version=2022-12-01", vault.url);
    let subs = http_get(&http, &subs_url, Some("anything")).await;
    // Not Resource Manager: the vault's own answer (its api-version check comes first).
    assert!(subs.status().is_client_error(), "{}", subs.status());
    let body: Value = subs.json().await.expect("json");
    assert!(body["error"]["code"].is_string(), "{body}");
    let list = format!("{}/certificates?api-version=2025-07-01", vault.url);
    assert_eq!(http_get(&http, &list, Some("anything")).await.status(), 200);
}
