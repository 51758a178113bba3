//! JWT-shaped access tokens. Clients never check the signature (they cannot: it is the
//! issuer's business), but some read claims: `az login --identity` takes the tenant from
//! `tid`. The header says RS256 because that is what the CLI's decoder is told to expect.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

/// The managed identity's object id and client id (fixed, obviously fake GUIDs).
pub(super) const OBJECT_ID: &str = "00000000-0000-0000-0000-00000000001d";
pub(super) const CLIENT_ID: &str = "00000000-0000-0000-0000-0000000000c1";

pub(super) struct Claims<'a> {
    pub(super) tenant: &'a str,
    pub(super) audience: &'a str,
    pub(super) object_id: &'a str,
    pub(super) client_id: &'a str,
    pub(super) issued_at: i64,
    pub(super) expires_on: i64,
}

/// `base64url(header).base64url(claims).base64url(random)`: unique per call.
pub(super) fn mint(c: &Claims<'_>) -> String {
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "kvconform"});
    let claims = json!({
        "aud": c.audience,
        "iss": format!("https://sts.windows.net/{}/", c.tenant),
        "iat": c.issued_at,
        "nbf": c.issued_at,
        "exp": c.expires_on,
        "appid": c.client_id,
        "appidacr": "2",
        "idtyp": "app",
        "oid": c.object_id,
        "sub": c.object_id,
        "tid": c.tenant,
        "ver": "1.0",
    });
    let signature = super::super::crypto::random_bytes::<32>();
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The claims of a token minted here (tests and diagnostics).
#[cfg(test)]
pub(crate) fn claims_of(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}
