//! Who is asking: the [`Editor`] behind a session cookie or an API token, checked once per
//! request by [`authenticate`], a middleware over the whole router (like the admin token's),
//! so a management route added later is refused to anonymous callers without anyone
//! remembering to protect it.
//!
//! Steps per request:
//!   1. a path outside `/manage` and `/api/v1/manage` passes untouched;
//!   2. without a store (`--data-dir`) every management path answers 404;
//!   3. the client's address and scheme are worked out ([`Client`]); the login form
//!      (`/manage/login`) and the management CSS pass from here;
//!   4. `Authorization: Bearer <api token>` is looked up (401 when unknown, revoked or its
//!      account disabled); otherwise the `bando_session` cookie (an unknown or expired
//!      one counts as none); with neither, pages redirect to the login form (303) and
//!      `/api/v1/manage/…` and pictures (`….png`, where a redirect to a form would only
//!      show a broken image) answer 401;
//!   5. a state-changing request (not GET/HEAD/OPTIONS) authenticated by the cookie must
//!      carry the session's CSRF token — header `X-CSRF-Token`, form field `csrf` of an
//!      urlencoded body, or, for a multipart upload whose body is streamed, `?csrf=` —
//!      compared in constant time; otherwise 403. Token requests need none: a browser
//!      never sends an API token by itself;
//!   6. the [`Editor`] and [`Client`] go into the request's extensions for the handlers.

use super::error::{see_other, ManageError};
use crate::api::AppState;
use crate::store::{Account, Role, Secret};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// The session cookie.
pub const SESSION_COOKIE: &str = "bando_session";
/// The header carrying the CSRF token of a script using a session.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest urlencoded form body read for its `csrf` field (forms are small; uploads
/// are multipart).
const FORM_LIMIT: usize = 1 << 20;

/// Which part of the management surface a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `/manage…`: HTML pages and forms.
    Page,
    /// `/api/v1/manage/…`: JSON.
    Api,
}

impl Area {
    pub fn of(path: &str) -> Option<Area> {
        let under = |prefix: &str| path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
        if under("/api/v1/manage") {
            Some(Area::Api)
        } else if under("/manage") {
            Some(Area::Page)
        } else {
            None
        }
    }

    /// `error` in this area's form.
    pub fn refuse(self, error: ManageError) -> Response {
        match self {
            Area::Api => error.into_response(),
            Area::Page => error.html(),
        }
    }
}

/// The client as the server sees it: its address (behind a trusted proxy, the one the
/// proxy reports) and whether it came over HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub address: String,
    pub https: bool,
}

impl Client {
    fn of(parts_headers: &HeaderMap, peer: Option<IpAddr>, settings: &super::ManageSettings) -> Client {
        let trusted = peer.is_some_and(|ip| settings.trusted_proxies.contains(&ip));
        let header = |name: &str| parts_headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        // The proxy appends the address it saw: the last entry is the one to believe.
        let forwarded = trusted.then(|| header("x-forwarded-for")).flatten().and_then(|list| list.rsplit(',').next()).map(str::trim);
        let address = match (forwarded.and_then(|a| a.parse::<IpAddr>().ok()), peer) {
            (Some(ip), _) | (None, Some(ip)) => ip.to_string(),
            (None, None) => "unknown".to_string(),
        };
        let https = settings.https || (trusted && header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https")));
        Client { address, https }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ManageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Client>().cloned().ok_or(ManageError::Internal("no client information (the route is outside the management area)".into()))
    }
}

/// How an editor proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    /// The session cookie; `csrf` is the token its forms carry.
    Session { csrf: Secret },
    /// An API token (`Authorization: Bearer`).
    Token { token_id: i64 },
}

/// The signed-in account of a management request: an axum extractor for any handler
/// under `/manage` or `/api/v1/manage` (the [`authenticate`] middleware has already
/// refused anonymous requests and wrong CSRF tokens).
#[derive(Debug, Clone)]
pub struct Editor {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Province codes of the edition in force (empty unless the role is `province`).
    pub provinces: Vec<String>,
    pub via: Via,
}

impl Editor {
    fn new(account: Account, via: Via) -> Editor {
        Editor { account_id: account.id, username: account.username, display_name: account.display_name, role: account.role, provinces: account.provinces, via }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// 403 unless the editor is an admin.
    pub fn require_admin(&self) -> Result<(), ManageError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ManageError::Forbidden(format!("only an admin may do this; '{}' is a {} account", self.username, self.role)))
        }
    }

    /// Whether the editor may change province `code`'s data: admins everywhere, province
    /// editors in their provinces, reviewers nowhere.
    pub fn may_edit(&self, code: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Province => self.provinces.iter().any(|p| p == code),
            Role::Reviewer => false,
        }
    }

    /// 403 unless the editor may change province `code`'s data ([`Editor::may_edit`]).
    pub fn require_province(&self, code: &str) -> Result<(), ManageError> {
        if self.may_edit(code) {
            return Ok(());
        }
        let scope = match self.role {
            Role::Reviewer => "a reviewer account reads drafts and changes nothing".to_string(),
            _ => format!("'{}' may change provinces {} only", self.username, self.provinces.join(", ")),
        };
        Err(ManageError::Forbidden(format!("province {code} is outside this account's scope: {scope}")))
    }

    /// The session's CSRF token, for the hidden field of the forms a page renders
    /// (`None` for token requests, which need none).
    pub fn csrf(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf } => Some(csrf.expose()),
            Via::Token { .. } => None,
        }
    }
}

/// [`Editor::require_admin`] as a free function.
pub fn require_admin(editor: &Editor) -> Result<(), ManageError> {
    editor.require_admin()
}

/// [`Editor::require_province`] as a free function.
pub fn require_province(editor: &Editor, code: &str) -> Result<(), ManageError> {
    editor.require_province(code)
}

impl<S: Send + Sync> FromRequestParts<S> for Editor {
    type Rejection = ManageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Editor>().cloned().ok_or(ManageError::Unauthenticated)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The credentials of `Bearer <token>` (the scheme is case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Paths that need no sign-in: the login form itself.
fn is_public(path: &str) -> bool {
    path == "/manage/login"
}

/// Whether [`authenticate`] concerns `path`: the management pages and API.
pub fn concerns(path: &str) -> bool {
    Area::of(path).is_some()
}

/// The middleware of the module doc (steps 1–6).
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(area) = Area::of(request.uri().path()) else { return next.run(request).await };
    let Some(store) = state.store.clone() else { return area.refuse(ManageError::NoStore) };
    let peer = request.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let client = Client::of(request.headers(), peer, &state.manage);
    request.extensions_mut().insert(client.clone());
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let editor = match identify(&store, request.headers()).await {
        Ok(Some(editor)) => editor,
        Ok(None) if area == Area::Page && matches!(*request.method(), Method::GET | Method::HEAD) && !request.uri().path().ends_with(".png") => {
            return see_other("/manage/login")
        }
        Ok(None) => return area.refuse(ManageError::Unauthenticated),
        Err(e) => return area.refuse(e),
    };
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let (false, Via::Session { csrf }) = (safe, &editor.via) {
        let (checked, offered) = match csrf_offered(request).await {
            Ok(found) => found,
            Err(e) => return area.refuse(e),
        };
        request = checked;
        if !offered.as_deref().is_some_and(|o| csrf.matches(o)) {
            tracing::warn!(username = %editor.username, client = %client.address, path = %request.uri().path(), "refused: missing or wrong CSRF token");
            return area.refuse(ManageError::Csrf);
        }
    }
    request.extensions_mut().insert(editor);
    next.run(request).await
}

/// Step 4: the editor behind the request's token or cookie.
async fn identify(store: &std::sync::Arc<crate::store::Store>, headers: &HeaderMap) -> Result<Option<Editor>, ManageError> {
    let store = store.clone();
    if let Some(token) = bearer(headers) {
        let offered = Secret::from_text(token);
        let found = tokio::task::spawn_blocking(move || store.token_editor(&offered)).await.map_err(|e| ManageError::Internal(e.to_string()))??;
        return match found {
            Some((account, token_id)) => Ok(Some(Editor::new(account, Via::Token { token_id }))),
            None => Err(ManageError::BadToken("the API token is unknown or revoked, or its account is disabled".into())),
        };
    }
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let offered = Secret::from_text(cookie);
    let session = tokio::task::spawn_blocking(move || store.session(&offered)).await.map_err(|e| ManageError::Internal(e.to_string()))??;
    Ok(session.map(|s| Editor::new(s.account, Via::Session { csrf: s.csrf })))
}

/// Step 5: the CSRF token the request offers, and the request (its body read and put
/// back when the token was a form field).
async fn csrf_offered(request: Request) -> Result<(Request, Option<String>), ManageError> {
    if let Some(header) = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let header = header.trim().to_string();
        return Ok((request, Some(header)));
    }
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let query = request.uri().query().unwrap_or("");
        let offered = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        return Ok((request, offered));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| ManageError::BadRequest { field: "body", message: format!("a form body is at most {FORM_LIMIT} bytes") })?;
    let offered = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), offered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_whole_path_prefixes() {
        assert_eq!(Area::of("/manage"), Some(Area::Page));
        assert_eq!(Area::of("/manage/login"), Some(Area::Page));
        assert_eq!(Area::of("/api/v1/manage/tokens"), Some(Area::Api));
        assert_eq!(Area::of("/api/v1/manage"), Some(Area::Api));
        assert_eq!(Area::of("/managed"), None);
        assert_eq!(Area::of("/api/v1/manager"), None);
        assert_eq!(Area::of("/"), None);
    }

    #[test]
    fn client_address_comes_from_a_trusted_proxy_only() {
        let settings = super::super::ManageSettings::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7".parse().unwrap());
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let outside: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(Client::of(&headers, Some(loopback), &settings), Client { address: "198.51.100.7".into(), https: true });
        assert_eq!(Client::of(&headers, Some(outside), &settings), Client { address: "192.0.2.1".into(), https: false });
        let public_https = super::super::ManageSettings { https: true, ..Default::default() };
        assert!(Client::of(&HeaderMap::new(), Some(outside), &public_https).https);
    }

    #[test]
    fn province_scope_admits_admins_and_the_editors_provinces_only() {
        let editor = |role, provinces: &[&str]| Editor {
            account_id: 1,
            username: "u1".into(),
            display_name: "U".into(),
            role,
            provinces: provinces.iter().map(|p| p.to_string()).collect(),
            via: Via::Token { token_id: 1 },
        };
        assert!(require_province(&editor(Role::Admin, &[]), "42").is_ok());
        let ha_tinh = editor(Role::Province, &["42", "44"]);
        assert!(ha_tinh.require_province("44").is_ok());
        let refused = ha_tinh.require_province("40").unwrap_err();
        assert_eq!(refused.status(), axum::http::StatusCode::FORBIDDEN);
        assert!(refused.to_string().contains("province 40") && refused.to_string().contains("42, 44"), "{refused}");
        assert!(require_admin(&ha_tinh).is_err());
        assert!(editor(Role::Reviewer, &[]).require_province("42").unwrap_err().to_string().contains("reviewer"));
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "a=1; bando_session_x=2; bando_session=abc".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "a"), Some("1"));
        assert_eq!(cookie(&headers, "b"), None);
    }
}
